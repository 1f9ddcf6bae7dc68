package dev.keepalive.interop;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * nginx in the foreground in a {@link NetworkNamespace}, listening on the namespace's address on several ports
 * (one per test, so that each test finds its own connection by port), keeping idle connections far longer
 * than a test runs ({@code keepalive_timeout 60s}): whatever closes a connection in a test, it is not nginx.
 * {@code return 200 "ok"} for every method; the suite's access log.
 */
final class NginxInNamespace implements AutoCloseable {

	private final NetworkNamespace namespace;

	private final WorkDirectory directory;

	private final ServerProcess process;

	private final int[] ports;

	private NginxInNamespace(NetworkNamespace namespace, WorkDirectory directory, ServerProcess process, int[] ports) {
		this.namespace = namespace;
		this.directory = directory;
		this.process = process;
		this.ports = ports;
	}

	/** Start nginx inside the namespace on these ports of its address (any port is free in a new namespace). */
	static NginxInNamespace start(NetworkNamespace namespace, int... ports) {
		String binary = Binary.NGINX.path().toString();
		WorkDirectory directory = WorkDirectory.create("nginx-netns");
		try {
			directory.write("nginx.conf", configuration(namespace.address().getHostAddress(), ports));
			List<String> command = namespace.inside(List.of(binary, "-p", directory.path() + "/", "-c", "nginx.conf", "-e",
					"error.log", "-g", "daemon off;"));
			ServerProcess process = ServerProcess.start("nginx", command, directory.path(), directory.resolve("error.log"),
					namespace.address(), ports);
			return new NginxInNamespace(namespace, directory, process, ports.clone());
		}
		catch (RuntimeException ex) {
			directory.close();
			throw ex;
		}
	}

	private static String configuration(String address, int[] ports) {
		String listen = Arrays.stream(ports)
			.mapToObj((port) -> "listen " + address + ":" + port + ";")
			.collect(Collectors.joining("\n        "));
		return """
				worker_processes 1;
				pid nginx.pid;
				error_log error.log info;
				events {
				    worker_connections 1024;
				}
				http {
				    log_format interop '$connection $connection_requests $request_method $request_uri $status';
				    access_log access.log interop;
				    client_body_temp_path client_body_temp;
				    proxy_temp_path proxy_temp;
				    fastcgi_temp_path fastcgi_temp;
				    uwsgi_temp_path uwsgi_temp;
				    scgi_temp_path scgi_temp;
				    server {
				        %s
				        keepalive_timeout 60s;
				        location / {
				            return 200 "ok";
				        }
				    }
				}
				""".formatted(listen);
	}

	/** The i-th port nginx listens on. */
	int port(int i) {
		return this.ports[i];
	}

	String description() {
		return "nginx in network namespace at " + this.namespace.address().getHostAddress() + ", keepalive_timeout 60s";
	}

	Executions executions() {
		return new AccessLog(this.directory.resolve("access.log"), 1);
	}

	String describeLogs() {
		return this.process.describeLogs();
	}

	@Override
	public void close() {
		this.process.close();
		this.directory.close();
	}

}
