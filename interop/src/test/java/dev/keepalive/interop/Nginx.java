package dev.keepalive.interop;

import java.util.List;

/**
 * nginx in the foreground ({@code daemon off}, one worker) with one {@code server} on a free loopback port
 * whose keep-alive directives the test chooses; {@code return 200 "ok"} for every method; an access log in
 * the suite's format.
 */
final class Nginx implements InteropServer {

	private final String description;

	private final WorkDirectory directory;

	private final int port;

	private final ServerProcess process;

	private Nginx(String description, WorkDirectory directory, int port, ServerProcess process) {
		this.description = description;
		this.directory = directory;
		this.port = port;
		this.process = process;
	}

	/**
	 * Start nginx with these directives in its {@code server} block.
	 * @param keepAlive e.g. {@code keepalive_timeout 2s;}
	 */
	static Nginx start(String keepAlive) {
		String binary = Binary.NGINX.path().toString();
		WorkDirectory directory = WorkDirectory.create("nginx");
		for (int attempt = 1;; attempt++) {
			int port = ServerProcess.freePort();
			directory.write("nginx.conf", configuration(port, keepAlive));
			try {
				// -e: the error log before the configuration is read (else /var/log/nginx/error.log).
				ServerProcess process = ServerProcess.start("nginx", List.of(binary, "-p", directory.path() + "/", "-c",
						"nginx.conf", "-e", "error.log", "-g", "daemon off;"), directory.path(),
						directory.resolve("error.log"), port);
				return new Nginx("nginx, " + keepAlive.trim(), directory, port, process);
			}
			catch (IllegalStateException ex) {
				if (attempt == 3 || !ex.getMessage().contains("Address already in use")) {
					directory.close();
					throw ex;
				}
			}
		}
	}

	private static String configuration(int port, String keepAlive) {
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
				        listen 127.0.0.1:%d;
				        %s
				        location / {
				            return 200 "ok";
				        }
				    }
				}
				""".formatted(port, keepAlive);
	}

	@Override
	public String description() {
		return this.description;
	}

	@Override
	public int port() {
		return this.port;
	}

	@Override
	public Executions executions() {
		return new AccessLog(this.directory.resolve("access.log"), 1);
	}

	@Override
	public String describeLogs() {
		return this.process.describeLogs();
	}

	@Override
	public void close() {
		this.process.close();
		this.directory.close();
	}

}
