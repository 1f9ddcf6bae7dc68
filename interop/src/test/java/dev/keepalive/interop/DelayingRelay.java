package dev.keepalive.interop;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;

/**
 * A TCP relay on loopback that delays everything by a fixed one-way delay, in both directions: bytes, the
 * orderly close (FIN) and the abortive one (RST) alike. Loopback delivers a server's FIN at once, which hides
 * the keep-alive race; through this relay the FIN takes as long as it would across a network, and a request
 * sent meanwhile reaches a server that has already closed the connection. (The demo has the same relay;
 * this one also witnesses each lost race.)
 * <p>
 * A connection <em>lost a race</em> when request bytes reached the server after it had closed the connection,
 * or the server closed it while a request it had been sent was still unanswered. The relay sees both
 * directly, whatever the client did about it afterwards (a client that resends hides the failure, not the
 * race). It tells request bytes from the rest (a body sent after the server answered) by their start, a request
 * line: the suite's bodies never look like one.
 * <p>
 * It also reports each idle close it sees, the time from the server's last response byte to its FIN, so that
 * the races can aim at where the server really closes while the machine is loaded.
 * <p>
 * On h2c ({@link #h2c}) it reads the frames instead: a request is a HEADERS frame that opens a stream, a
 * response ends with END_STREAM (or the server's RST_STREAM), the last response byte is that of a HEADERS or
 * DATA frame (a GOAWAY at idle is no response), and each GOAWAY the server sends is in the history.
 * <p>
 * A server's RST reaches the client behind what the server sent before it (a GOAWAY, a FIN), as on a network:
 * when the relay cannot write the client's bytes to the server any more, the client's end is reset after
 * what is still on its way to it, not before.
 */
final class DelayingRelay implements Closeable {

	/** The start of a request line: a method in capitals, a space. */
	private static final Pattern REQUEST_LINE = Pattern.compile("^[A-Z]{3,7} ");

	/** A server's close sooner than this after its response is no idle close (e.g. after Connection: close). */
	private static final long IDLE_CLOSE_AT_LEAST_MILLIS = 500;

	private final int targetPort;

	private final long delayNanos;

	private final ServerSocket server;

	private final long startNanos = System.nanoTime();

	private final List<Link> links = new CopyOnWriteArrayList<>();

	/** Told the idle time of every connection the server closed while the client had nothing outstanding. */
	private final LongConsumer idleCloses;

	/** HTTP/2 by prior knowledge: frames, not request lines. */
	private final boolean h2c;

	DelayingRelay(int targetPort, Duration oneWayDelay, LongConsumer idleCloses) throws IOException {
		this(targetPort, oneWayDelay, idleCloses, false);
	}

	private DelayingRelay(int targetPort, Duration oneWayDelay, LongConsumer idleCloses, boolean h2c) throws IOException {
		this.targetPort = targetPort;
		this.idleCloses = idleCloses;
		this.h2c = h2c;
		this.delayNanos = oneWayDelay.toNanos();
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		daemon("relay-accept-" + this.server.getLocalPort(), this::accept);
	}

	/** A relay for clients that speak h2c (HTTP/2 by prior knowledge), which it follows frame by frame. */
	static DelayingRelay h2c(int targetPort, Duration oneWayDelay, LongConsumer idleCloses) throws IOException {
		return new DelayingRelay(targetPort, oneWayDelay, idleCloses, true);
	}

	/** The relay's own port: clients connect here. */
	int port() {
		return this.server.getLocalPort();
	}

	/** Connections the client opened through the relay. */
	int connections() {
		return this.links.size();
	}

	/** Connections that lost a race: a request reached the server after its close, or was never answered. */
	int racesLost() {
		return (int) this.links.stream().filter((link) -> link.lostRaceAt != 0).count();
	}

	/** The moments (ms since the relay started) at which races were lost, in order. */
	List<Long> racesLostAt() {
		return this.links.stream().filter((link) -> link.lostRaceAt != 0).map((link) -> millis(link.lostRaceAt)).sorted().toList();
	}

	/** Milliseconds since the relay started, on the clock the relay's history uses. */
	long now() {
		return millis(System.nanoTime());
	}

	/** What happened on each connection, for a failure message. */
	String history() {
		StringBuilder history = new StringBuilder();
		for (Link link : this.links) {
			history.append("\n  relay connection #").append(link.number).append(": ").append(link.events);
		}
		return history.toString();
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		for (Link link : this.links) {
			Direction.abort(link.client);
			Direction.abort(link.upstream);
		}
	}

	private long millis(long nanos) {
		return (nanos - this.startNanos) / 1_000_000;
	}

	private void accept() {
		while (!this.server.isClosed()) {
			Socket client;
			try {
				client = this.server.accept();
			}
			catch (IOException ex) {
				return; // the relay was closed
			}
			Socket upstream;
			try {
				upstream = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
				client.setTcpNoDelay(true);
				upstream.setTcpNoDelay(true);
			}
			catch (IOException ex) {
				// The server is gone: the client sees its connection reset, and the relay goes on accepting.
				System.err.println("relay: could not connect to port " + this.targetPort + ": " + ex);
				Direction.abort(client);
				continue;
			}
			Link link = new Link(this.links.size() + 1, client, upstream);
			this.links.add(link);
			link.event("opened");
			link.up = new Direction(link, true);
			link.down = new Direction(link, false);
			link.up.start("relay-up");
			link.down.start("relay-down");
		}
	}

	private static void daemon(String name, Runnable task) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		thread.start();
	}

	/** One client connection and its connection to the server. */
	private final class Link {

		private final int number;

		private final Socket client;

		private final Socket upstream;

		/** Directions that have delivered their FIN: at two, both sockets close. */
		private final AtomicInteger ends = new AtomicInteger();

		private final StringBuffer events = new StringBuffer();

		/** When the relay read the server's FIN or RST; 0 while open. */
		private volatile long upstreamEndedAt;

		/** When the relay read the client's FIN or RST; 0 while open. */
		private volatile long clientEndedAt;

		/** A request was written to the server and no response byte has come back since. */
		private volatile boolean awaitingResponse;

		/** When the relay last read response bytes; 0 before the first. */
		private volatile long lastResponseAt;

		private volatile long lostRaceAt;

		private volatile Direction up;

		private volatile Direction down;

		/** h2c: the client's frames as the server gets them, the server's as the relay reads them. */
		private final H2Frames clientFrames = H2Frames.fromClient();

		private final H2Frames serverFrames = H2Frames.fromServer();

		/** h2c: streams the client opened that the server has not ended; {@code awaitingResponse} while any. */
		private final Set<Integer> openStreams = new TreeSet<>();

		/** h2c: every stream the client opened. */
		private final Set<Integer> streams = new HashSet<>();

		Link(int number, Socket client, Socket upstream) {
			this.number = number;
			this.client = client;
			this.upstream = upstream;
		}

		synchronized void event(String what) {
			if (this.events.length() > 0) {
				this.events.append(", ");
			}
			this.events.append(what).append(" at ").append(millis(System.nanoTime())).append(" ms");
		}

		synchronized void clientBytesDelivered(byte[] bytes) {
			if (DelayingRelay.this.h2c) {
				for (H2Frames.Frame frame : this.clientFrames.feed(bytes, bytes.length)) {
					if (frame.type() == H2Frames.HEADERS && this.streams.add(frame.stream())) {
						request("stream " + frame.stream());
						this.openStreams.add(frame.stream());
						this.awaitingResponse = true;
					}
				}
				return;
			}
			if (!REQUEST_LINE.matcher(new String(bytes, 0, Math.min(bytes.length, 8), StandardCharsets.ISO_8859_1)).find()) {
				return; // the rest of a request, e.g. a body the server did not wait for before answering
			}
			request(null);
			this.awaitingResponse = true;
		}

		private void request(String what) {
			if (this.upstreamEndedAt != 0) {
				lostRace("request " + ((what != null) ? "(" + what + ") " : "") + "reached the server "
						+ (System.nanoTime() - this.upstreamEndedAt) / 1_000_000 + " ms after it closed");
			}
			else if (what != null) {
				event("request " + what);
			}
			else if (!this.awaitingResponse) {
				event("request");
			}
		}

		synchronized void responseBytesRead(byte[] bytes) {
			if (DelayingRelay.this.h2c) {
				for (H2Frames.Frame frame : this.serverFrames.feed(bytes, bytes.length)) {
					if (frame.type() == H2Frames.GOAWAY) {
						event("server sent " + frame);
					}
					else if (frame.type() == H2Frames.RST_STREAM && this.openStreams.remove(frame.stream())) {
						event("server sent " + frame);
					}
					else if ((frame.type() == H2Frames.HEADERS || frame.type() == H2Frames.DATA) && frame.stream() != 0) {
						this.lastResponseAt = System.nanoTime();
						if (frame.endStream() && this.openStreams.remove(frame.stream())) {
							event("response stream " + frame.stream());
						}
					}
				}
				this.awaitingResponse = !this.openStreams.isEmpty();
				return;
			}
			if (this.awaitingResponse) {
				event("response");
			}
			this.awaitingResponse = false;
			this.lastResponseAt = System.nanoTime();
		}

		synchronized void upstreamEnded(String how) {
			this.upstreamEndedAt = System.nanoTime();
			event("server sent " + how);
			if (this.clientEndedAt != 0) {
				return;
			}
			if (this.awaitingResponse) {
				lostRace("the server closed with a request unanswered");
			}
			else if (this.lastResponseAt != 0 && DelayingRelay.this.idleCloses != null) {
				long idle = (this.upstreamEndedAt - this.lastResponseAt) / 1_000_000;
				if (idle >= IDLE_CLOSE_AT_LEAST_MILLIS) {
					DelayingRelay.this.idleCloses.accept(idle);
				}
			}
		}

		synchronized void clientEnded(String how) {
			this.clientEndedAt = System.nanoTime();
			event("client sent " + how);
		}

		private void lostRace(String why) {
			if (this.lostRaceAt == 0) {
				this.lostRaceAt = System.nanoTime();
				event("LOST RACE: " + why);
			}
		}

	}

	/** What travels one way: bytes, then an end, each due at its arrival time. */
	private record Segment(long dueNanos, byte[] bytes, End end) {
	}

	private enum End {

		NONE, FIN, RST

	}

	/** One direction: a reader that timestamps what it reads, a writer that delivers it when due. */
	private final class Direction {

		private final Link link;

		/** Client to server. */
		private final boolean up;

		private final Socket from;

		private final Socket to;

		private final BlockingQueue<Segment> inFlight = new LinkedBlockingQueue<>();

		Direction(Link link, boolean up) {
			this.link = link;
			this.up = up;
			this.from = up ? link.client : link.upstream;
			this.to = up ? link.upstream : link.client;
		}

		void start(String name) {
			daemon(name + "-read", this::read);
			daemon(name + "-write", this::write);
		}

		private void read() {
			byte[] buffer = new byte[16 * 1024];
			End end;
			try {
				InputStream in = this.from.getInputStream();
				for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
					byte[] bytes = Arrays.copyOf(buffer, n);
					if (!this.up) {
						this.link.responseBytesRead(bytes);
					}
					send(bytes, End.NONE);
				}
				end = End.FIN;
			}
			catch (IOException ex) {
				// "Connection reset": pass the abort on. A socket the relay closed itself ends here too.
				end = End.RST;
			}
			if (!this.up) {
				this.link.upstreamEnded(end.name());
			}
			else {
				this.link.clientEnded(end.name());
			}
			send(null, end);
		}

		private void send(byte[] bytes, End end) {
			this.inFlight.add(new Segment(System.nanoTime() + DelayingRelay.this.delayNanos, bytes, end));
		}

		/**
		 * Reset this direction's far end one delay from now, after what is on its way to it: the server's RST
		 * reaches the client behind the GOAWAY or FIN the server sent before it.
		 */
		void resetAfterInFlight() {
			long due = System.nanoTime() + DelayingRelay.this.delayNanos + 1_000_000; // behind the last write
			daemon("relay-reset", () -> {
				long wait;
				while ((wait = due - System.nanoTime()) > 0 || (!this.inFlight.isEmpty() && wait > -1_000_000_000L)) {
					LockSupport.parkNanos(Math.max(wait, 200_000));
				}
				abort(this.to);
				abort(this.from);
			});
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
							if (this.up) {
								this.link.clientBytesDelivered(segment.bytes());
							}
							this.to.getOutputStream().write(segment.bytes());
							this.to.getOutputStream().flush();
						}
						case FIN -> {
							if (!this.to.isClosed()) {
								this.to.shutdownOutput();
							}
							if (this.link.ends.incrementAndGet() == 2) {
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
				if (this.up && this.link.down != null) {
					// The server reset the connection: the client learns it behind what the server sent before.
					abort(this.to);
					this.link.down.resetAfterInFlight();
				}
				else {
					abort(this.to);
					abort(this.from);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		static void abort(Socket socket) {
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
