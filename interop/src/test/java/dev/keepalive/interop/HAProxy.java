package dev.keepalive.interop;

import java.nio.file.Path;
import java.util.List;

/**
 * HAProxy in the foreground ({@code -db}), {@code mode http} with {@code option http-keep-alive} and
 * {@code timeout http-keep-alive 2s}, in front of a {@link CountingBackend} that advertises
 * {@code Keep-Alive: timeout=5}: HAProxy passes the backend's header on to its clients and closes their idle
 * connections at 2 s, so the header a client reads describes another hop.
 */
final class HAProxy extends LaunchedServer {

	private final CountingBackend backend;

	private HAProxy(CountingBackend backend, Launched launched) {
		super(launched);
		this.backend = backend;
	}

	static HAProxy start() {
		String binary = Binary.HAPROXY.path().toString();
		CountingBackend backend = new CountingBackend("timeout=5");
		WorkDirectory directory = WorkDirectory.create("haproxy");
		try {
			return new HAProxy(backend, launch(directory, (port) -> {
				Path configuration = directory.write("haproxy.cfg", configuration(port, backend.port()));
				// HAProxy logs to syslog only: its output holds its warnings and alerts.
				return new Command("haproxy", List.of(binary, "-f", configuration.toString(), "-db"),
						directory.resolve("haproxy.out"));
			}));
		}
		catch (RuntimeException ex) {
			backend.close();
			throw ex;
		}
	}

	private static String configuration(int port, int backendPort) {
		return """
				global
				    maxconn 1024
				defaults
				    mode http
				    option http-keep-alive
				    timeout connect 5s
				    timeout client 30s
				    timeout server 30s
				    timeout http-request 10s
				    timeout http-keep-alive 2s
				frontend interop
				    bind 127.0.0.1:%d
				    default_backend counting
				backend counting
				    server counting 127.0.0.1:%d
				""".formatted(port, backendPort);
	}

	@Override
	public String description() {
		return "HAProxy, timeout http-keep-alive 2s, backend Keep-Alive: timeout=5";
	}

	@Override
	public String path() {
		return "/";
	}

	@Override
	public Executions executions() {
		return this.backend.executions();
	}

	@Override
	public void close() {
		super.close();
		this.backend.close();
	}

}
