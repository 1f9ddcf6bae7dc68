package dev.keepalive.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The backend behind HAProxy: the JDK's HTTP server on loopback, answering {@code ok} to every method with
 * {@code Keep-Alive: timeout=5} (its own idle timeout is the JDK's 30 s, so the header is truthful for this
 * hop), and counting each request by its {@code ?id=}.
 */
final class CountingBackend implements AutoCloseable {

	private static final Pattern ID = Pattern.compile("(?:^|&)id=([^&]+)");

	private final HttpServer server;

	private final ExecutorService executor = Executors.newCachedThreadPool((runnable) -> {
		Thread thread = new Thread(runnable, "counting-backend");
		thread.setDaemon(true);
		return thread;
	});

	private final List<Executions.Execution> executions = new CopyOnWriteArrayList<>();

	/** Requests per connection from HAProxy, by its port. */
	private final Map<Integer, AtomicInteger> perConnection = new ConcurrentHashMap<>();

	CountingBackend(String keepAlive) {
		try {
			this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.server.setExecutor(this.executor);
		this.server.createContext("/", (exchange) -> handle(exchange, keepAlive));
		this.server.start();
	}

	int port() {
		return this.server.getAddress().getPort();
	}

	Executions executions() {
		return () -> List.copyOf(this.executions);
	}

	private void handle(HttpExchange exchange, String keepAlive) throws IOException {
		try (InputStream body = exchange.getRequestBody()) {
			body.readAllBytes();
		}
		String query = exchange.getRequestURI().getRawQuery();
		Matcher id = ID.matcher((query != null) ? query : "");
		int port = exchange.getRemoteAddress().getPort();
		int onConnection = this.perConnection.computeIfAbsent(port, (key) -> new AtomicInteger()).incrementAndGet();
		this.executions.add(new Executions.Execution("haproxy:" + port, onConnection, exchange.getRequestMethod(),
				id.find() ? id.group(1) : null, 200));
		byte[] ok = "ok".getBytes(StandardCharsets.US_ASCII);
		exchange.getResponseHeaders().set("Content-Type", "text/plain");
		exchange.getResponseHeaders().set("Keep-Alive", keepAlive);
		exchange.sendResponseHeaders(200, ok.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(ok);
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.executor.shutdownNow();
	}

}
