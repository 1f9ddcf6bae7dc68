package dev.keepalive.samples.client;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on loopback that delays everything by a fixed one-way delay, in both directions: bytes, the
 * orderly close (FIN) and the abortive one (RST) alike. Loopback delivers a server's FIN at once, which hides
 * the keep-alive race; through this relay the FIN takes as long as it would across a real network, and a
 * request sent meanwhile meets a connection the server has already closed.
 */
final class DelayingRelay implements Closeable {

	private final InetSocketAddress target;

	private final long delayNanos;

	private final ServerSocket server;

	private final AtomicInteger connections = new AtomicInteger();

	DelayingRelay(InetSocketAddress target, Duration oneWayDelay) throws IOException {
		this.target = target;
		this.delayNanos = oneWayDelay.toNanos();
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		daemon("relay-accept", this::accept);
	}

	int port() {
		return this.server.getLocalPort();
	}

	/** Connections the client opened through the relay. */
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
				Socket client = this.server.accept();
				this.connections.incrementAndGet();
				Socket upstream = new Socket(this.target.getAddress(), this.target.getPort());
				client.setTcpNoDelay(true);
				upstream.setTcpNoDelay(true);
				AtomicInteger ends = new AtomicInteger();
				new Direction(client, upstream, ends).start("relay-up");
				new Direction(upstream, client, ends).start("relay-down");
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private static void daemon(String name, Runnable task) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		thread.start();
	}

	/** What travels one way: bytes, then an end, each due at its arrival time. */
	private record Segment(long dueNanos, byte[] bytes, End end) {
	}

	private enum End {

		NONE, FIN, RST

	}

	/** One direction: a reader that timestamps what it reads, a writer that delivers it when due. */
	private final class Direction {

		private final Socket from;

		private final Socket to;

		/** Directions of this connection that have delivered their FIN: at two, both sockets close. */
		private final AtomicInteger ends;

		private final BlockingQueue<Segment> inFlight = new LinkedBlockingQueue<>();

		Direction(Socket from, Socket to, AtomicInteger ends) {
			this.from = from;
			this.to = to;
			this.ends = ends;
		}

		void start(String name) {
			daemon(name + "-read", this::read);
			daemon(name + "-write", this::write);
		}

		private void read() {
			byte[] buffer = new byte[16 * 1024];
			try {
				InputStream in = this.from.getInputStream();
				for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
					send(Arrays.copyOf(buffer, n), End.NONE);
				}
				send(null, End.FIN);
			}
			catch (SocketException ex) {
				// "Connection reset": pass the abort on. A socket we closed ourselves ends here too.
				send(null, End.RST);
			}
			catch (IOException ex) {
				send(null, End.RST);
			}
		}

		private void send(byte[] bytes, End end) {
			this.inFlight.add(new Segment(System.nanoTime() + DelayingRelay.this.delayNanos, bytes, end));
		}

		private void write() {
			try {
				while (true) {
					Segment segment = this.inFlight.take();
					long wait = segment.dueNanos() - System.nanoTime();
					if (wait > 0) {
						Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
					}
					switch (segment.end()) {
						case NONE -> {
							this.to.getOutputStream().write(segment.bytes());
							this.to.getOutputStream().flush();
						}
						case FIN -> {
							if (!this.to.isClosed()) {
								this.to.shutdownOutput();
							}
							if (this.ends.incrementAndGet() == 2) {
								this.to.close();
								this.from.close();
							}
							return;
						}
						case RST -> {
							abort(this.to);
							abort(this.from);
							return;
						}
					}
				}
			}
			catch (IOException ex) {
				abort(this.to);
				abort(this.from);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		private static void abort(Socket socket) {
			try {
				if (!socket.isClosed()) {
					socket.setSoLinger(true, 0);
					socket.close();
				}
			}
			catch (IOException ex) {
				// Already gone.
			}
		}

	}

}
