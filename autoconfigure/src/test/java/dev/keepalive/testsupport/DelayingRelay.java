package dev.keepalive.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A network between a client and a server on loopback: a TCP relay that delays every byte, and the end of
 * each direction (a FIN as a FIN, an RST as an RST), by a one-way delay plus a random jitter, in order. The
 * keep-alive race is then real: a server's close takes the delay to reach the client, and a request the
 * client writes takes the delay to reach the server.
 * <p>
 * {@linkplain #failover In front of two servers}, it is a load balancer that fails over: each new connection
 * goes to the first server while that server accepts connections and is not {@linkplain #drainPrimary
 * drained}, else to the second.
 */
public final class DelayingRelay extends LoopbackPeer {

	private static final int RST = -1;

	private static final int FIN = -2;

	/** The servers, in the order a new connection tries them. */
	private final int[] targetPorts;

	/** Connections carried to each target, by index in {@link #targetPorts}. */
	private final AtomicIntegerArray carried;

	/** The first target new connections may go to: 1 once the primary is drained. */
	private volatile int firstTarget;

	private volatile long delayNanos;

	private final long jitterNanos;

	private final long startNanos = System.nanoTime();

	/** What happened to each connection, in order: where it went, how each side ended. */
	private final Queue<String> history = new ConcurrentLinkedQueue<>();

	private DelayingRelay(int[] targetPorts, Duration oneWayDelay, Duration jitter) throws IOException {
		super("delaying-relay");
		this.targetPorts = targetPorts;
		this.carried = new AtomicIntegerArray(targetPorts.length);
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
		return new DelayingRelay(new int[] { targetPort }, oneWayDelay, jitter);
	}

	/**
	 * A relay to two servers, as a load balancer that fails over when a connect is refused (HAProxy's
	 * {@code redispatch}, nginx's {@code proxy_next_upstream error}): each new connection goes to the primary
	 * while it accepts connections (and until {@link #drainPrimary}), else to the secondary. A connection stays
	 * with the server it went to.
	 * @param primaryPort the server new connections go to while it accepts them
	 * @param secondaryPort the server they go to once the primary refuses them
	 * @param oneWayDelay the delay each way, without jitter
	 * @return the started relay: point clients at its {@link #url}
	 */
	public static DelayingRelay failover(int primaryPort, int secondaryPort, Duration oneWayDelay) throws IOException {
		return new DelayingRelay(new int[] { primaryPort, secondaryPort }, oneWayDelay, Duration.ZERO);
	}

	/**
	 * Change the one-way delay from now on, as a path that gets slower or faster (a queue fills or drains):
	 * bytes already on their way keep their delay, and every direction keeps its order.
	 * @param oneWayDelay the new delay each way, at least the jitter
	 */
	public void oneWayDelay(Duration oneWayDelay) {
		if (this.jitterNanos > oneWayDelay.toNanos()) {
			throw new IllegalArgumentException("jitter exceeds the delay " + oneWayDelay);
		}
		this.delayNanos = oneWayDelay.toNanos();
		record("one-way delay now " + oneWayDelay.toMillis() + " ms");
	}

	/**
	 * Send no new connection to the primary from now on, as a load balancer told that an instance is going
	 * away (Kubernetes removes a terminating pod's endpoint): the connections it carries already stay.
	 */
	public void drainPrimary() {
		if (this.targetPorts.length < 2) {
			throw new IllegalStateException("a relay to one server has nowhere else to send connections");
		}
		this.firstTarget = 1;
		record("primary :" + this.targetPorts[0] + " drained");
	}

	/**
	 * Connections carried to a server so far.
	 * @param targetPort the server's port
	 * @return the count; 0 for a port the relay does not serve
	 */
	public int connectionsTo(int targetPort) {
		for (int i = 0; i < this.targetPorts.length; i++) {
			if (this.targetPorts[i] == targetPort) {
				return this.carried.get(i);
			}
		}
		return 0;
	}

	@Override
	Runnable accepted(Socket client, int number) {
		return () -> {
			try (client; Socket server = connect(number)) {
				client.setTcpNoDelay(true);
				server.setTcpNoDelay(true);
				Thread upstream = daemon("relay-up-" + number, () -> direction(client, server, "#" + number + " client"));
				direction(server, client, "#" + number + " server :" + server.getPort());
				upstream.join();
			}
			catch (IOException ex) {
				record("#" + number + " not carried: " + ex.getMessage());
				abort(client);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		};
	}

	/** A connection to the first target that accepts one; the last refusal if none does. */
	private Socket connect(int number) throws IOException {
		for (int i = this.firstTarget;; i++) {
			try {
				Socket server = new Socket(InetAddress.getLoopbackAddress(), this.targetPorts[i]);
				this.carried.incrementAndGet(i);
				record("#" + number + " to :" + this.targetPorts[i]);
				return server;
			}
			catch (ConnectException ex) {
				record("#" + number + " refused by :" + this.targetPorts[i]);
				if (i == this.targetPorts.length - 1) {
					throw ex;
				}
			}
		}
	}

	/**
	 * What the relay saw, one line per event with its time since the relay started: each connection's
	 * number and the server it went to (or that refused it), and how each side ended it (FIN or RST; an RST the
	 * relay passes on is seen again on the other side, later), delay changes and a drain.
	 * @return the events, in order
	 */
	public String history() {
		return String.join("\n", this.history);
	}

	private void record(String event) {
		this.history.add(String.format("%6d ms %s", (System.nanoTime() - this.startNanos) / 1_000_000, event));
	}

	/** Carry one direction: a reader queues each chunk with its due time, a writer delivers it then. */
	private void direction(Socket from, Socket to, String side) {
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
					record(side + ((read == RST) ? " RST" : " FIN"));
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
		long delay = this.delayNanos;
		return (this.jitterNanos == 0) ? delay
				: delay + ThreadLocalRandom.current().nextLong(-this.jitterNanos, this.jitterNanos + 1);
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
