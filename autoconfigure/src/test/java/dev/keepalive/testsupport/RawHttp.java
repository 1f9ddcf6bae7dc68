package dev.keepalive.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A raw HTTP/1.x connection to a server under test: sends exactly the bytes a test wants, reads a response,
 * and measures when the server closes the idle connection.
 */
public final class RawHttp implements Closeable {

	private final Socket socket;

	private final InputStream in;

	private long sentAt;

	private long answeredAt;

	public RawHttp(int port) throws IOException {
		this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
		this.socket.setSoTimeout(15_000);
		this.in = new BufferedInputStream(this.socket.getInputStream());
	}

	/** Send a request with the given request line version and extra header lines, read the response. */
	public Response send(String method, String path, String version, String... headers) throws IOException {
		StringBuilder request = new StringBuilder(method + " " + path + " " + version + "\r\nHost: 127.0.0.1\r\n");
		for (String header : headers) {
			request.append(header).append("\r\n");
		}
		this.socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
		this.sentAt = System.nanoTime();
		Response response = read(!"HEAD".equals(method));
		this.answeredAt = System.nanoTime();
		return response;
	}

	/** Block until the server closes the connection; how long after the last response was read in full. */
	public Duration awaitCloseAfterResponse() throws IOException {
		awaitClose();
		return Duration.ofNanos(System.nanoTime() - this.answeredAt);
	}

	/** Block until the server closes the connection; how long after the last request was sent. */
	public Duration awaitClose() throws IOException {
		try {
			while (this.in.read() != -1) {
				// drain
			}
		}
		catch (SocketException ex) {
			// reset: closed too
		}
		return Duration.ofNanos(System.nanoTime() - this.sentAt);
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	private Response read(boolean hasBody) throws IOException {
		String statusLine = line();
		int status = Integer.parseInt(statusLine.split(" ")[1]);
		List<String[]> headers = new ArrayList<>();
		for (String line = line(); !line.isEmpty(); line = line()) {
			int colon = line.indexOf(':');
			headers.add(new String[] { line.substring(0, colon).trim(), line.substring(colon + 1).trim() });
		}
		Response response = new Response(status, headers);
		if (hasBody && status != 204 && status != 304) {
			String length = response.header("Content-Length");
			if (length != null) {
				this.in.readNBytes(Integer.parseInt(length));
			}
			else if ("chunked".equalsIgnoreCase(response.header("Transfer-Encoding"))) {
				for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
						size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
					this.in.readNBytes(size + 2);
				}
				line();
			}
		}
		return response;
	}

	private String line() throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b = this.in.read(); b != '\n'; b = this.in.read()) {
			if (b == -1) {
				throw new IOException("connection closed mid-response");
			}
			if (b != '\r') {
				line.write(b);
			}
		}
		return line.toString(StandardCharsets.ISO_8859_1);
	}

	/** A response head. */
	public record Response(int status, List<String[]> headers) {

		/** The first value of a header, or null. */
		public String header(String name) {
			List<String> values = headers(name);
			return values.isEmpty() ? null : values.get(0);
		}

		/** Every value of a header, one per header line. */
		public List<String> headers(String name) {
			List<String> values = new ArrayList<>();
			for (String[] header : this.headers) {
				if (header[0].toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
					values.add(header[1]);
				}
			}
			return values;
		}

	}

}
