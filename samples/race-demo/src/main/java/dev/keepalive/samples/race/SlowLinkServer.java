package dev.keepalive.samples.race;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Node-style HTTP/1.1 server (it advertises {@code Keep-Alive: timeout=1} and closes idle connections after
 * one second) seen through a link with {@code latency} ms of one-way delay, emulated on loopback.
 * <p>
 * At its idle timeout the server closes the connection, but the FIN needs {@code latency} to reach the
 * client; a request the client sends in that window meets a closed socket and is reset. Loopback has no
 * such delay, so the server plays both parts: it keeps the socket open for the extra {@code latency}
 * and resets any request that arrives after its idle timeout.
 */
final class SlowLinkServer implements Closeable {

	static final int IDLE_TIMEOUT_MILLIS = 1000;

	private final ServerSocket server;

	private final int latencyMillis;

	private final AtomicInteger connections = new AtomicInteger();

	SlowLinkServer(int latencyMillis) throws IOException {
		this.latencyMillis = latencyMillis;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "slow-link-server");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	String url() {
		return "http://127.0.0.1:" + this.server.getLocalPort() + "/";
	}

	int connections() {
		return this.connections.get();
	}

	@Override
	public void close() throws IOException {
		this.server.close();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket socket = this.server.accept();
				this.connections.incrementAndGet();
				Thread connection = new Thread(() -> serve(socket), "slow-link-connection");
				connection.setDaemon(true);
				connection.start();
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void serve(Socket socket) {
		try (socket) {
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
			OutputStream out = socket.getOutputStream();
			while (true) {
				long idleSince = System.nanoTime();
				socket.setSoTimeout(IDLE_TIMEOUT_MILLIS + this.latencyMillis);
				String requestLine;
				try {
					requestLine = in.readLine();
				}
				catch (SocketTimeoutException ex) {
					return; // the FIN finally arrives at the client
				}
				if (requestLine == null) {
					return;
				}
				if ((System.nanoTime() - idleSince) / 1_000_000 >= IDLE_TIMEOUT_MILLIS) {
					socket.setSoLinger(true, 0); // the request hit a socket the server had already closed
					return;
				}
				while (!in.readLine().isEmpty()) {
					// GET requests only: skip the headers
				}
				out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
						+ "Keep-Alive: timeout=1\r\n\r\nhello").getBytes(StandardCharsets.ISO_8859_1));
				out.flush();
			}
		}
		catch (IOException | NullPointerException ex) {
			// the client went away
		}
	}

}
