package dev.keepalive.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One keep-alive connection straight to a server (no relay), for the suite to see what the server does
 * itself: the headers it answers with, and when and how it closes an idle connection.
 */
final class RawHttpClient implements AutoCloseable {

	private final Socket socket;

	private final InputStream in;

	RawHttpClient(int port) {
		try {
			this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
			this.socket.setSoTimeout(30_000);
			this.in = this.socket.getInputStream();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A GET, its response read to the body's last byte.
	 * @param extraHeaders header lines, each ending in CRLF, e.g. {@code "Connection: keep-alive\r\n"}
	 */
	Response get(String path, String extraHeaders) {
		try {
			this.socket.getOutputStream()
				.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			this.socket.getOutputStream().flush();
			StringBuilder head = new StringBuilder();
			while (head.indexOf("\r\n\r\n") < 0) {
				int b = this.in.read();
				if (b < 0) {
					throw new IOException("closed before the response ended: " + head);
				}
				head.append((char) b);
			}
			String[] lines = head.toString().split("\r\n");
			Map<String, String> headers = new LinkedHashMap<>();
			for (int i = 1; i < lines.length; i++) {
				int colon = lines[i].indexOf(':');
				headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim(),
						(a, b) -> a + ", " + b);
			}
			this.in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
			return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Wait for the server to close the idle connection: how long it took (ms) and how (FIN or RST). */
	Close awaitClose() {
		long start = System.nanoTime();
		String how;
		try {
			how = (this.in.read() < 0) ? "FIN" : "data";
		}
		catch (SocketException ex) {
			how = "RST";
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return new Close((System.nanoTime() - start) / 1_000_000, how);
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

	/** A response's status and headers, names in lower case, repeated headers joined with ", ". */
	record Response(int status, Map<String, String> headers) {

		String header(String name) {
			return this.headers.get(name.toLowerCase(Locale.ROOT));
		}

	}

	/** An idle connection's end: after how many ms since the last response byte, FIN or RST. */
	record Close(long afterMillis, String how) {

		@Override
		public String toString() {
			return this.how + " after " + this.afterMillis + " ms";
		}

	}

}
