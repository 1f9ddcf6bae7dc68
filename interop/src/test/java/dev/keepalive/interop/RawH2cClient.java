package dev.keepalive.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One h2c connection (HTTP/2 by prior knowledge) straight to a server, for the suite to see what the server
 * does itself: when and how it ends an idle HTTP/2 connection (a GOAWAY, its last-stream-id and error code,
 * then FIN or RST). Requests are GETs on streams 1, 3, ...; the header block is HPACK without Huffman or
 * indexing, which every server reads.
 */
final class RawH2cClient implements AutoCloseable {

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private final H2Frames frames = H2Frames.fromServer();

	private final List<H2Frames.Frame> unread = new ArrayList<>();

	private int nextStream = 1;

	RawH2cClient(int port) {
		try {
			this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
			this.socket.setSoTimeout(30_000);
			this.socket.setTcpNoDelay(true);
			this.in = this.socket.getInputStream();
			this.out = this.socket.getOutputStream();
			this.out.write(H2Frames.PREFACE);
			this.out.write(H2Frames.frame(H2Frames.SETTINGS, 0, 0, new byte[0]));
			this.out.flush();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** A GET on the next stream, read to its END_STREAM; the response's first header byte tells its status. */
	int get(String path) {
		int stream = this.nextStream;
		this.nextStream += 2;
		ByteArrayOutputStream block = new ByteArrayOutputStream();
		block.write(0x82); // :method GET (static table 2)
		block.write(0x86); // :scheme http (6)
		literal(block, 4, path); // :path (4), literal without indexing
		literal(block, 1, "127.0.0.1"); // :authority (1)
		try {
			this.out.write(H2Frames.frame(H2Frames.HEADERS, 0x4 | H2Frames.END_STREAM, stream, block.toByteArray()));
			this.out.flush();
			int status = 0;
			while (true) {
				H2Frames.Frame frame = next();
				if (frame == null) {
					throw new IOException("closed before stream " + stream + " ended");
				}
				if (frame.stream() == stream && frame.type() == H2Frames.HEADERS && status == 0) {
					// The server's status, when indexed from the static table: 0x88 200, 0x8d 404.
					status = ((frame.payload()[0] & 0xff) == 0x88) ? 200 : -1;
				}
				if (frame.stream() == stream && (frame.endStream() || frame.type() == H2Frames.RST_STREAM)) {
					return status;
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Wait for the server to end the idle connection: the GOAWAY it sends first, if any, and the close, each
	 * in ms from now.
	 */
	Close awaitClose() {
		long start = System.nanoTime();
		H2Frames.Frame goAway = null;
		long goAwayAfter = -1;
		String how;
		try {
			while (true) {
				H2Frames.Frame frame = next();
				if (frame == null) {
					how = "FIN";
					break;
				}
				if (frame.type() == H2Frames.GOAWAY && goAway == null) {
					goAway = frame;
					goAwayAfter = (System.nanoTime() - start) / 1_000_000;
				}
			}
		}
		catch (SocketException ex) {
			how = "RST";
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return new Close(goAway, goAwayAfter, (System.nanoTime() - start) / 1_000_000, how);
	}

	/** The server's next frame (SETTINGS acknowledged on the way), null at the end of the stream. */
	private H2Frames.Frame next() throws IOException {
		byte[] buffer = new byte[16 * 1024];
		while (this.unread.isEmpty()) {
			int n = this.in.read(buffer);
			if (n < 0) {
				return null;
			}
			this.unread.addAll(this.frames.feed(buffer, n));
		}
		H2Frames.Frame frame = this.unread.remove(0);
		if (frame.type() == H2Frames.SETTINGS && (frame.flags() & H2Frames.ACK) == 0) {
			this.out.write(H2Frames.frame(H2Frames.SETTINGS, H2Frames.ACK, 0, new byte[0]));
			this.out.flush();
		}
		return frame;
	}

	private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
		byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
		if (bytes.length > 126) {
			throw new IllegalArgumentException("longer than this client encodes (126 bytes): " + value);
		}
		block.write(nameIndex); // 0000xxxx: literal header field without indexing, indexed name
		block.write(bytes.length);
		block.writeBytes(bytes);
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// Closed already.
		}
	}

	/**
	 * An idle h2 connection's end.
	 * @param goAway the GOAWAY the server sent first, or null
	 * @param goAwayAfterMillis when it came, or -1
	 * @param afterMillis when the connection ended
	 * @param how FIN or RST
	 */
	record Close(H2Frames.Frame goAway, long goAwayAfterMillis, long afterMillis, String how) {

		@Override
		public String toString() {
			return ((this.goAway != null) ? this.goAway + " after " + this.goAwayAfterMillis + " ms, " : "no GOAWAY, ")
					+ this.how + " after " + this.afterMillis + " ms";
		}

	}

}
