package dev.keepalive.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket HTTP/1.1 server on loopback that answers each request as a {@link Script} says: normally
 * (advertising {@code Keep-Alive: timeout=30}), or by reading the request fully and then resetting or closing
 * the connection without a byte of response, or by closing in the middle of a response, or with a 503. It
 * counts, per {@code X-Request-Id}, how many times a request reached it in full: the server-side executions
 * a resend must never multiply.
 */
public final class ScriptedPeer extends LoopbackPeer {

	/** What the peer does with one request it has read. */
	public enum Action {

		/** 200, body "ok". */
		OK,

		/** Reset the connection (SO_LINGER 0), no response. */
		RESET,

		/** Close the connection (FIN), no response. */
		CLOSE,

		/** Send the status line and headers and part of the body, then close. */
		HEADERS_THEN_CLOSE,

		/** 503 with a body. */
		SERVICE_UNAVAILABLE,

		/** 200, body "ok", advertising a long keep-alive timeout, then close (FIN): a server that goes away. */
		OK_THEN_CLOSE

	}

	/**
	 * One request as the peer read it.
	 *
	 * @param connection the connection's number, from 1 in accept order
	 * @param index the request's number on its connection, from 1
	 * @param stale whether the connection was accepted before the last {@link #restart()}
	 * @param method the method
	 * @param headers the headers, names in lower case
	 */
	public record Request(int connection, int index, boolean stale, String method, Map<String, String> headers) {

		/** Whether the connection carried a request before this one. */
		public boolean reused() {
			return this.index > 1;
		}

	}

	/** Decides what to do with each request. */
	@FunctionalInterface
	public interface Script {

		Action on(Request request);

		/** A script that fails every request on a reused connection with {@code action}. */
		static Script failReused(Action action) {
			return (request) -> request.reused() ? action : Action.OK;
		}

	}

	private final Script script;

	private final long responseDelayMillis;

	private final AtomicInteger closedByClient = new AtomicInteger();

	private final AtomicInteger generation = new AtomicInteger();

	private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();

	private ScriptedPeer(Script script, Duration responseDelay, boolean tls) throws IOException {
		super("scripted-peer", tls);
		this.script = script;
		this.responseDelayMillis = responseDelay.toMillis();
		start();
	}

	public static ScriptedPeer start(Script script) throws IOException {
		return new ScriptedPeer(script, Duration.ZERO, false);
	}

	/** A peer that waits this long before each answer, so that concurrent requests need several connections. */
	public static ScriptedPeer start(Script script, Duration responseDelay) throws IOException {
		return new ScriptedPeer(script, responseDelay, false);
	}

	/** The same peer over TLS, with {@link TestTls}'s certificate. */
	public static ScriptedPeer startTls(Script script) throws IOException {
		return new ScriptedPeer(script, Duration.ZERO, true);
	}

	/** Connections the client closed while they were idle. */
	public int closedByClient() {
		return this.closedByClient.get();
	}

	/** How many times the request with this {@code X-Request-Id} reached the peer in full. */
	public int executions(String requestId) {
		AtomicInteger count = this.executions.get(requestId);
		return (count != null) ? count.get() : 0;
	}

	/**
	 * Emulate a server restart: every connection accepted so far is now {@link Request#stale() stale}, which
	 * a script may answer with a reset, as a restarted server's kernel would.
	 */
	public void restart() {
		this.generation.incrementAndGet();
	}

	@Override
	Runnable accepted(Socket socket, int number) {
		int generation = this.generation.get();
		return () -> serve(socket, number, generation);
	}

	private void serve(Socket socket, int number, int acceptedInGeneration) {
		try (socket) {
			socket.setTcpNoDelay(true);
			InputStream in = new BufferedInputStream(socket.getInputStream());
			OutputStream out = socket.getOutputStream();
			for (int index = 1;; index++) {
				Map<String, String> headers = new HashMap<>();
				String method;
				try {
					method = readRequest(in, headers);
				}
				catch (SocketException ex) {
					method = null; // Closed with an RST instead of a FIN: closed all the same.
				}
				if (method == null) {
					this.closedByClient.incrementAndGet();
					return;
				}
				String id = headers.get("x-request-id");
				if (id != null) {
					this.executions.computeIfAbsent(id, (key) -> new AtomicInteger()).incrementAndGet();
				}
				boolean stale = acceptedInGeneration < this.generation.get();
				Action action = this.script.on(new Request(number, index, stale, method, headers));
				if (this.responseDelayMillis > 0) {
					Thread.sleep(this.responseDelayMillis);
				}
				switch (action) {
					case OK -> respond(out, "200 OK", "ok");
					case SERVICE_UNAVAILABLE -> respond(out, "503 Service Unavailable", "busy");
					case OK_THEN_CLOSE -> {
						respond(out, "200 OK", "ok");
						return;
					}
					case RESET -> {
						resetConnection(socket);
						return;
					}
					case CLOSE -> {
						return;
					}
					case HEADERS_THEN_CLOSE -> {
						out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n"
								+ "Keep-Alive: timeout=30\r\n\r\npartial").getBytes(StandardCharsets.ISO_8859_1));
						out.flush();
						return;
					}
				}
			}
		}
		catch (IOException ex) {
			// The client went away.
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void respond(OutputStream out, String status, String body) throws IOException {
		out.write(("HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
				+ "\r\nKeep-Alive: timeout=30\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
	}

	/** Reads one request, its body included; returns the method, or {@code null} at EOF before a request. */
	private static String readRequest(InputStream in, Map<String, String> headers) throws IOException {
		String requestLine = readLine(in);
		if (requestLine == null) {
			return null;
		}
		for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
			int colon = line.indexOf(':');
			if (colon > 0) {
				headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
			}
		}
		if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
			for (long size = Long.parseLong(readLine(in).split(";")[0].trim(), 16); size > 0;
					size = Long.parseLong(readLine(in).split(";")[0].trim(), 16)) {
				in.skipNBytes(size + 2);
			}
			readLine(in);
		}
		else if (headers.containsKey("content-length")) {
			in.skipNBytes(Long.parseLong(headers.get("content-length")));
		}
		return requestLine.substring(0, requestLine.indexOf(' '));
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b = in.read(); b != -1; b = in.read()) {
			if (b == '\n') {
				String text = line.toString(StandardCharsets.ISO_8859_1);
				return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
			}
			line.write(b);
		}
		if (line.size() == 0) {
			return null;
		}
		throw new IOException("EOF in the middle of a line");
	}

}
