package dev.keepalive.samples.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

/**
 * Measures when the server really closes an idle keep-alive connection, as a careful lab would before aiming
 * at the race: a few raw connections straight to the server (no relay), each sends one request, reads the
 * response to its last byte and waits for the server's FIN. The time from the response's last byte to the
 * FIN is the close time; the race window through a relay with one-way delay d is the 2d before it.
 */
final class CloseTimeProbe {

	private CloseTimeProbe() {
	}

	/**
	 * Probe the server with {@code connections} connections at once.
	 * @return the close times in ms, sorted
	 */
	static long[] closeTimes(InetSocketAddress server, String path, int connections) {
		List<CompletableFuture<Long>> probes = IntStream.range(0, connections)
			.mapToObj((i) -> CompletableFuture.supplyAsync(() -> closeTime(server, path)))
			.toList();
		return probes.stream().mapToLong(CompletableFuture::join).sorted().toArray();
	}

	private static long closeTime(InetSocketAddress server, String path) {
		try (Socket socket = new Socket(server.getAddress(), server.getPort())) {
			socket.setSoTimeout(60_000);
			OutputStream out = socket.getOutputStream();
			out.write(("GET " + path + " HTTP/1.1\r\nHost: " + server.getHostString() + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			readResponse(in);
			long responded = System.nanoTime();
			while (in.read() >= 0) {
				// Nothing more is sent on an idle connection: this waits for the FIN.
			}
			return (System.nanoTime() - responded) / 1_000_000;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not probe " + server + "'s idle timeout", ex);
		}
	}

	/** Read a response with a Content-Length body to its last byte. */
	private static void readResponse(InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		while (!head.toString().endsWith("\r\n\r\n")) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("closed before the response ended: " + head);
			}
			head.append((char) b);
		}
		int length = Arrays.stream(head.toString().split("\r\n"))
			.filter((line) -> line.toLowerCase().startsWith("content-length:"))
			.mapToInt((line) -> Integer.parseInt(line.substring(15).trim()))
			.findFirst()
			.orElseThrow(() -> new IOException("no Content-Length: " + head));
		in.readNBytes(length);
	}

}
