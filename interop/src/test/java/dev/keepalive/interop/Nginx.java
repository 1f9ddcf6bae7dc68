package dev.keepalive.interop;

import java.util.List;

/**
 * nginx in the foreground ({@code daemon off}, one worker) with one {@code server} on a free loopback port
 * whose keep-alive directives the test chooses; {@code return 200 "ok"} for every method; an access log in
 * the suite's format.
 */
final class Nginx extends LaunchedServer {

	private final String description;

	private Nginx(String description, Launched launched) {
		super(launched);
		this.description = description;
	}

	/**
	 * Start nginx with these directives in its {@code server} block.
	 * @param keepAlive e.g. {@code keepalive_timeout 2s;}
	 */
	static Nginx start(String keepAlive) {
		String binary = Binary.NGINX.path().toString();
		WorkDirectory directory = WorkDirectory.create("nginx");
		return new Nginx("nginx, " + keepAlive.trim(), launch(directory, (port) -> {
			directory.write("nginx.conf", configuration(port, keepAlive));
			// -e: the error log before the configuration is read (else /var/log/nginx/error.log).
			return new Command("nginx", List.of(binary, "-p", directory.path() + "/", "-c", "nginx.conf", "-e",
					"error.log", "-g", "daemon off;"), directory.resolve("error.log"));
		}));
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
	public Executions executions() {
		return new AccessLog(file("access.log"), 1);
	}

}
