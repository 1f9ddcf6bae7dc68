package dev.keepalive.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket HTTP/1.1 server on loopback whose idle behaviour a test controls exactly: it advertises a
 * {@code Keep-Alive} header of the test's choice and closes a connection that stays idle for
 * {@code idleTimeout}, with a FIN or an RST.
 * <p>
 * With a {@code raceWindow}, it emulates a network between client and server: the server gives up on the
 * idle connection at {@code idleTimeout}, but its FIN takes {@code raceWindow} to reach the client, and a
 * request that arrives in that window is answered with an RST. That is the keep-alive race, made
 * deterministic: a client that sends after an idle gap between {@code idleTimeout} and
 * {@code idleTimeout + raceWindow} always loses it.
 */
public final class KeepAlivePeer extends LoopbackPeer {

	/** How the peer ends an idle connection. */
	public enum Close {

		/** An orderly close: the client reads EOF. */
		FIN,

		/** An abortive close (SO_LINGER 0): the client reads "Connection reset". */
		RST

	}

	private final String keepAlive;

	private volatile long idleTimeoutMillis;

	private final int maxCountingDown;

	private final long raceWindowMillis;

	private final Close close;

	private final boolean respond;

	private final boolean advertiseOnlyWhenAsked;

	private final long handlerMillis;

	private final boolean idleFromRequest;

	private final AtomicInteger askedForKeepAlive = new AtomicInteger();

	private final AtomicInteger requests = new AtomicInteger();

	private final AtomicInteger closedByClient = new AtomicInteger();

	private final AtomicInteger closedByPeer = new AtomicInteger();

	private final AtomicInteger racesLost = new AtomicInteger();

	/** What happened on each connection, in order: for a failing assertion to say why. */
	private final Queue<String> history = new ConcurrentLinkedQueue<>();

	private KeepAlivePeer(Builder builder) throws IOException {
		super("keepalive-peer", builder.tls);
		this.keepAlive = builder.keepAlive;
		this.idleTimeoutMillis = (builder.idleTimeout != null) ? builder.idleTimeout.toMillis() : 0;
		this.maxCountingDown = builder.maxCountingDown;
		this.raceWindowMillis = builder.raceWindow.toMillis();
		this.close = builder.close;
		this.respond = builder.respond;
		this.advertiseOnlyWhenAsked = builder.advertiseOnlyWhenAsked;
		this.handlerMillis = builder.handler.toMillis();
		this.idleFromRequest = builder.idleFromRequest;
		start();
	}

	/** A peer that advertises {@code keepAlive} (or nothing when {@code null}). */
	public static Builder advertising(String keepAlive) {
		return new Builder(keepAlive);
	}

	/** From now on, close connections idle for this long (a path whose timeout was raised, say). */
	public void idleTimeout(Duration idleTimeout) {
		this.idleTimeoutMillis = idleTimeout.toMillis();
	}

	/** Requests that carried {@code Connection: keep-alive}. */
	public int askedForKeepAlive() {
		return this.askedForKeepAlive.get();
	}

	/** Requests read so far (answered or not). */
	public int requests() {
		return this.requests.get();
	}

	/** Connections the client closed (the peer read EOF while waiting for a request). */
	public int closedByClient() {
		return this.closedByClient.get();
	}

	/** Idle connections the peer closed at its idle timeout. */
	public int closedByPeer() {
		return this.closedByPeer.get();
	}

	/** Requests that arrived in the race window and were reset. */
	public int racesLost() {
		return this.racesLost.get();
	}

	/**
	 * What the peer saw, connection by connection: each request with how long its connection had been idle,
	 * and each close. Meant for an assertion's description.
	 */
	public String history() {
		return String.join("; ", this.history);
	}

	@Override
	Runnable accepted(Socket socket, int number) {
		return () -> serve(socket, number);
	}

	private void serve(Socket socket, int number) {
		try (socket) {
			socket.setTcpNoDelay(true);
			InputStream in = new BufferedInputStream(socket.getInputStream());
			OutputStream out = socket.getOutputStream();
			long idleSince = System.nanoTime();
			int served = 0;
			while (true) {
				long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleSince);
				socket.setSoTimeout((int) ((this.idleTimeoutMillis > 0)
						? Math.max(1, this.idleTimeoutMillis + this.raceWindowMillis - elapsedMillis) : 0));
				int first;
				try {
					first = in.read();
				}
				catch (SocketTimeoutException ex) {
					this.history.add("connection " + number + " closed by the peer");
					this.closedByPeer.incrementAndGet();
					end(socket, this.close);
					return;
				}
				if (first == -1) {
					this.history.add("connection " + number + " closed by the client");
					this.closedByClient.incrementAndGet();
					return;
				}
				long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleSince);
				if (this.idleTimeoutMillis > 0 && idleMillis >= this.idleTimeoutMillis) {
					// The server "closed" this connection already; the request hit a dead socket.
					this.history.add("connection " + number + " reset a request after " + idleMillis + " ms idle");
					this.racesLost.incrementAndGet();
					end(socket, Close.RST);
					return;
				}
				boolean askedForKeepAlive = readRequest(first, in);
				long readAt = System.nanoTime();
				if (askedForKeepAlive) {
					this.askedForKeepAlive.incrementAndGet();
				}
				this.history.add("connection " + number + " read a request after " + idleMillis + " ms idle");
				this.requests.incrementAndGet();
				if (!this.respond) {
					while (in.read() != -1) {
						// Swallow: the client's read timeout is under test.
					}
					return;
				}
				if (this.handlerMillis > 0) {
					Thread.sleep(this.handlerMillis);
				}
				// Idle from before the answer leaves: the client's gap starts after it arrives, so the idle time
				// measured here is never shorter than the gap the test paused for, however late this thread runs.
				// Or, as a server that counts from its last read of the request, from then.
				idleSince = this.idleFromRequest ? readAt : System.nanoTime();
				served++;
				boolean last = this.maxCountingDown > 0 && served > this.maxCountingDown;
				out.write(response(askedForKeepAlive || !this.advertiseOnlyWhenAsked, served, last)
					.getBytes(StandardCharsets.ISO_8859_1));
				out.flush();
				if (last) {
					// As Apache httpd does once max reaches 0: this response closes the connection.
					this.history.add("connection " + number + " closed by the peer after " + served + " requests");
					return;
				}
			}
		}
		catch (IOException ex) {
			// The client went away: nothing to serve.
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private String response(boolean advertise, int served, boolean last) {
		String body = "ok";
		String keepAlive = this.keepAlive;
		if (this.maxCountingDown > 0) {
			// Apache httpd's max: the requests this connection may still carry after this response.
			String max = "max=" + (this.maxCountingDown - served + 1);
			keepAlive = (keepAlive != null) ? keepAlive + ", " + max : max;
		}
		return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n"
				+ ((keepAlive != null && advertise && !last) ? "Keep-Alive: " + keepAlive + "\r\n" : "")
				+ (last ? "Connection: close\r\n" : "") + "\r\n" + body;
	}

	/** Read a request; whether it asked for {@code Connection: keep-alive}. */
	private static boolean readRequest(int first, InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		head.write(first);
		int matched = 0;
		while (matched < 4) {
			int b = in.read();
			if (b == -1) {
				throw new IOException("EOF in request head");
			}
			head.write(b);
			matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r') ? 1 : 0;
		}
		long contentLength = 0;
		boolean askedForKeepAlive = false;
		for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
			String lower = line.toLowerCase(Locale.ROOT);
			if (lower.startsWith("content-length:")) {
				contentLength = Long.parseLong(line.substring("content-length:".length()).trim());
			}
			askedForKeepAlive |= lower.startsWith("connection:") && lower.contains("keep-alive");
		}
		in.skipNBytes(contentLength);
		return askedForKeepAlive;
	}

	private void end(Socket socket, Close close) throws IOException {
		if (close == Close.RST) {
			resetConnection(socket);
		}
		else {
			socket.close();
		}
	}

	/** Configures a peer. */
	public static final class Builder {

		private final String keepAlive;

		private Duration idleTimeout;

		private Duration raceWindow = Duration.ZERO;

		private Close close = Close.FIN;

		private boolean respond = true;

		private boolean advertiseOnlyWhenAsked;

		private int maxCountingDown;

		private Duration handler = Duration.ZERO;

		private boolean idleFromRequest;

		private boolean tls;

		private Builder(String keepAlive) {
			this.keepAlive = keepAlive;
		}

		/** Close connections idle for this long. */
		public Builder idleTimeout(Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
			return this;
		}

		/** Delay the idle close by this long and reset requests that arrive meanwhile. */
		public Builder raceWindow(Duration raceWindow) {
			this.raceWindow = raceWindow;
			return this;
		}

		public Builder close(Close close) {
			this.close = close;
			return this;
		}

		/**
		 * Send the {@code Keep-Alive} header only in answer to {@code Connection: keep-alive}, as Apache httpd
		 * and Tomcat do.
		 */
		public Builder advertiseOnlyWhenAsked() {
			this.advertiseOnlyWhenAsked = true;
			return this;
		}

		/**
		 * Advertise {@code max} as Apache httpd does, counting down: {@code max=first} on a connection's first
		 * response, then one less on each; the response after {@code max=1} closes the connection.
		 */
		public Builder maxCountingDown(int first) {
			this.maxCountingDown = first;
			return this;
		}

		/** Take this long to answer each request. */
		public Builder handler(Duration handler) {
			this.handler = handler;
			return this;
		}

		/**
		 * Count a connection's idle time from the last read of its request, not from the end of the response:
		 * a slow response leaves the client less idle time than the header says.
		 */
		public Builder idleFromRequest() {
			this.idleFromRequest = true;
			return this;
		}

		/** Serve TLS with {@link TestTls}'s certificate. */
		public Builder tls() {
			this.tls = true;
			return this;
		}

		/** Read requests but never answer them. */
		public Builder silent() {
			this.respond = false;
			return this;
		}

		public KeepAlivePeer start() throws IOException {
			return new KeepAlivePeer(this);
		}

	}

}
