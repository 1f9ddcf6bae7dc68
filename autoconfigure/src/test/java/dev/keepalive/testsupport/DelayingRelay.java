package dev.keepalive.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * A network between a client and a server on loopback: a TCP relay that delays every byte, and the end of
 * each direction (a FIN as a FIN, an RST as an RST), by a one-way delay plus a random jitter, in order. The
 * keep-alive race is then real: a server's close takes the delay to reach the client, and a request the
 * client writes takes the delay to reach the server.
 */
public final class DelayingRelay extends LoopbackPeer {

	private static final int RST = -1;

	private static final int FIN = -2;

	private final int targetPort;

	private final long delayNanos;

	private final long jitterNanos;

	private DelayingRelay(int targetPort, Duration oneWayDelay, Duration jitter) throws IOException {
		super("delaying-relay");
		this.targetPort = targetPort;
		this.delayNanos = oneWayDelay.toNanos();
		this.jitterNanos = jitter.toNanos();
		start();
	}

	/**
	 * A relay to a server on a loopback port.
	 * @param targetPort the server's port
	 * @param oneWayDelay the delay each way
	 * @param jitter the most each chunk's delay varies, either way
	 * @return the started relay: point clients at its {@link #url}
	 */
	public static DelayingRelay to(int targetPort, Duration oneWayDelay, Duration jitter) throws IOException {
		if (jitter.compareTo(oneWayDelay) > 0) {
			throw new IllegalArgumentException("jitter " + jitter + " exceeds the delay " + oneWayDelay);
		}
		return new DelayingRelay(targetPort, oneWayDelay, jitter);
	}

	@Override
	Runnable accepted(Socket client, int number) {
		return () -> {
			try (client; Socket server = new Socket(InetAddress.getLoopbackAddress(), this.targetPort)) {
				client.setTcpNoDelay(true);
				server.setTcpNoDelay(true);
				Thread upstream = daemon("relay-up-" + number, () -> direction(client, server));
				direction(server, client);
				upstream.join();
			}
			catch (IOException ex) {
				abort(client);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		};
	}

	/** Carry one direction: a reader queues each chunk with its due time, a writer delivers it then. */
	private void direction(Socket from, Socket to) {
		BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
		Thread writer = daemon("relay-writer", () -> deliver(queue, from, to));
		long lastDue = 0;
		byte[] buffer = new byte[16384];
		try {
			InputStream in = from.getInputStream();
			while (true) {
				int read;
				try {
					read = in.read(buffer);
				}
				catch (SocketException ex) {
					read = RST;
				}
				lastDue = Math.max(lastDue, System.nanoTime() + delay());
				if (read < 0) {
					queue.add(new Chunk(lastDue, null, (read == RST) ? RST : FIN));
					break;
				}
				queue.add(new Chunk(lastDue, Arrays.copyOf(buffer, read), read));
			}
			writer.join();
		}
		catch (IOException ex) {
			queue.add(new Chunk(System.nanoTime(), null, RST));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static Thread daemon(String name, Runnable task) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	private long delay() {
		return (this.jitterNanos == 0) ? this.delayNanos
				: this.delayNanos + ThreadLocalRandom.current().nextLong(-this.jitterNanos, this.jitterNanos + 1);
	}

	private static void deliver(BlockingQueue<Chunk> queue, Socket from, Socket to) {
		try {
			OutputStream out = to.getOutputStream();
			while (true) {
				Chunk chunk = queue.take();
				long wait;
				while ((wait = chunk.dueNanos - System.nanoTime()) > 0) {
					LockSupport.parkNanos(wait);
				}
				if (chunk.length == RST) {
					abort(to);
					abort(from);
					return;
				}
				if (chunk.length == FIN) {
					to.shutdownOutput();
					return;
				}
				out.write(chunk.bytes);
				out.flush();
			}
		}
		catch (IOException ex) {
			// The other side is gone: tell this one as abruptly.
			abort(from);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void abort(Socket socket) {
		try {
			socket.setSoLinger(true, 0);
			socket.close();
		}
		catch (IOException ex) {
			// Already closed.
		}
	}

	private record Chunk(long dueNanos, byte[] bytes, int length) {
	}

}
