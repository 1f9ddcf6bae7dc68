package dev.keepalive.samples.client;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What an h2c server does to an idle connection, measured frame by frame on raw connections straight to it (no
 * relay): each sends the connection preface (prior knowledge, RFC 9113 section 3.3) and one GET, reads the
 * response to its END_STREAM, then reads on until the server closes, noting when a GOAWAY arrives (its
 * last-stream-id and error code) and when the connection ends (FIN or reset).
 */
final class H2cCloseProbe {

	private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final int DATA = 0, HEADERS = 1, SETTINGS = 4, PING = 6, GOAWAY = 7;

	private static final int END_STREAM = 0x1, ACK = 0x1;

	/**
	 * One connection's idle end, each time a {@link System#nanoTime()}.
	 * @param responded when the response's END_STREAM arrived
	 * @param goAway when a GOAWAY arrived, -1 if none did
	 * @param lastStreamId the GOAWAY's last-stream-id, -1 if none
	 * @param errorCode the GOAWAY's error code (0 is NO_ERROR), -1 if none
	 * @param closed when the connection ended
	 * @param reset whether it ended with a reset rather than a FIN
	 */
	record Close(long responded, long goAway, int lastStreamId, long errorCode, long closed, boolean reset) {

		/** The GOAWAY's arrival, or the close's when the server sent none: when the server gave up. */
		long end() {
			return (this.goAway >= 0) ? this.goAway : this.closed;
		}

		/** Milliseconds from the response to {@link #end()}. */
		long endMillis() {
			return (end() - this.responded) / 1_000_000;
		}

		@Override
		public String toString() {
			return ((this.goAway < 0) ? "no GOAWAY"
					: "GOAWAY(last-stream-id " + this.lastStreamId + ", error " + this.errorCode + ") at "
							+ (this.goAway - this.responded) / 1_000_000 + " ms")
					+ ", " + (this.reset ? "reset" : "FIN") + " at " + (this.closed - this.responded) / 1_000_000 + " ms";
		}

	}

	private H2cCloseProbe() {
	}

	/**
	 * Probe the server with {@code connections} connections, each on a thread of its own, started {@code stagger}
	 * apart.
	 * @return what each connection saw, in the order they started
	 */
	static List<Close> closes(InetSocketAddress server, String path, int connections, Duration stagger) {
		List<CompletableFuture<Close>> probes = new ArrayList<>();
		for (int i = 0; i < connections; i++) {
			CompletableFuture<Close> probe = new CompletableFuture<>();
			long start = i * stagger.toMillis();
			Thread thread = new Thread(() -> {
				try {
					Thread.sleep(start);
					probe.complete(close(server, path));
				}
				catch (Throwable ex) {
					probe.completeExceptionally(ex);
				}
			}, "h2c-probe-" + i);
			thread.setDaemon(true);
			thread.start();
			probes.add(probe);
		}
		return probes.stream().map(CompletableFuture::join).toList();
	}

	private static Close close(InetSocketAddress server, String path) {
		try (Socket socket = new Socket(server.getAddress(), server.getPort())) {
			socket.setSoTimeout(60_000);
			socket.setTcpNoDelay(true);
			OutputStream out = socket.getOutputStream();
			out.write(PREFACE);
			frame(out, SETTINGS, 0, 0, new byte[0]);
			frame(out, HEADERS, 0x4 | END_STREAM, 1, requestHeaders(server, path));
			out.flush();
			DataInputStream in = new DataInputStream(socket.getInputStream());
			long responded = -1;
			long goAway = -1;
			int lastStreamId = -1;
			long errorCode = -1;
			try {
				while (true) {
					int length = in.readUnsignedShort() << 8 | in.readUnsignedByte();
					int type = in.readUnsignedByte();
					int flags = in.readUnsignedByte();
					int stream = in.readInt() & 0x7fffffff;
					byte[] payload = in.readNBytes(length);
					if (payload.length < length) {
						throw new EOFException();
					}
					long now = System.nanoTime();
					if ((type == DATA || type == HEADERS) && stream == 1 && (flags & END_STREAM) != 0) {
						responded = now;
					}
					else if (type == SETTINGS && (flags & ACK) == 0) {
						frame(out, SETTINGS, ACK, 0, new byte[0]);
						out.flush();
					}
					else if (type == PING && (flags & ACK) == 0) {
						frame(out, PING, ACK, 0, payload);
						out.flush();
					}
					else if (type == GOAWAY && responded >= 0) {
						goAway = now;
						lastStreamId = (payload[0] & 0x7f) << 24 | (payload[1] & 0xff) << 16 | (payload[2] & 0xff) << 8
								| (payload[3] & 0xff);
						errorCode = ((payload[4] & 0xffL) << 24) | (payload[5] & 0xff) << 16 | (payload[6] & 0xff) << 8
								| (payload[7] & 0xff);
					}
				}
			}
			catch (EOFException ex) {
				requireResponse(responded);
				return new Close(responded, goAway, lastStreamId, errorCode, System.nanoTime(), false);
			}
			catch (SocketException ex) {
				requireResponse(responded);
				return new Close(responded, goAway, lastStreamId, errorCode, System.nanoTime(), true);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not probe " + server + " on h2c", ex);
		}
	}

	private static void requireResponse(long responded) throws IOException {
		if (responded < 0) {
			throw new IOException("the connection ended before the response did");
		}
	}

	/** GET {@code path}: HPACK with indexed :method GET and :scheme http, literal :path and :authority. */
	private static byte[] requestHeaders(InetSocketAddress server, String path) {
		String authority = server.getHostString() + ":" + server.getPort();
		byte[] p = path.getBytes(StandardCharsets.US_ASCII);
		byte[] a = authority.getBytes(StandardCharsets.US_ASCII);
		byte[] block = new byte[2 + 2 + p.length + 2 + a.length];
		int i = 0;
		block[i++] = (byte) 0x82; // :method GET
		block[i++] = (byte) 0x86; // :scheme http
		block[i++] = 0x04; // :path, literal without indexing, name from the static table
		block[i++] = (byte) p.length;
		System.arraycopy(p, 0, block, i, p.length);
		i += p.length;
		block[i++] = 0x01; // :authority
		block[i++] = (byte) a.length;
		System.arraycopy(a, 0, block, i, a.length);
		return block;
	}

	private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
		byte[] header = { (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
				(byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
				(byte) stream };
		out.write(header);
		out.write(payload);
	}

}
