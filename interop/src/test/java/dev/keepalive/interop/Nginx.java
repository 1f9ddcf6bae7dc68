package dev.keepalive.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * nginx in the foreground ({@code daemon off}, one worker) with one {@code server} on a free loopback port
 * whose keep-alive directives the test chooses; {@code return 200 "ok"} for every method; an access log in
 * the suite's format (on h2c with the protocol after it). HTTP/1.1, or h2c by prior knowledge
 * ({@code listen ... http2} without {@code ssl}: nginx 1.22 speaks only HTTP/2 on that port).
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
		return start("nginx, " + keepAlive.trim(), "", keepAlive);
	}

	/**
	 * Start nginx serving h2c by prior knowledge, with these directives in its {@code server} block.
	 * @param keepAlive e.g. {@code keepalive_timeout 2s;}, which nginx 1.19.7 and later apply to HTTP/2 too
	 */
	static Nginx startH2c(String keepAlive) {
		return start("nginx h2c, " + keepAlive.trim(), " http2", keepAlive);
	}

	private static Nginx start(String description, String listenParameters, String keepAlive) {
		String binary = Binary.NGINX.path().toString();
		WorkDirectory directory = WorkDirectory.create("nginx");
		return new Nginx(description, launch(directory, (port) -> {
			directory.write("nginx.conf", configuration(port, listenParameters, keepAlive));
			// -e: the error log before the configuration is read (else /var/log/nginx/error.log).
			return new Command("nginx", List.of(binary, "-p", directory.path() + "/", "-c", "nginx.conf", "-e",
					"error.log", "-g", "daemon off;"), directory.resolve("error.log"));
		}));
	}

	private static String configuration(int port, String listenParameters, String keepAlive) {
		String format = listenParameters.isEmpty() ? "" : " $server_protocol";
		return """
				worker_processes 1;
				pid nginx.pid;
				error_log error.log info;
				events {
				    worker_connections 1024;
				}
				http {
				    log_format interop '$connection $connection_requests $request_method $request_uri $status%s';
				    access_log access.log interop;
				    client_body_temp_path client_body_temp;
				    proxy_temp_path proxy_temp;
				    fastcgi_temp_path fastcgi_temp;
				    uwsgi_temp_path uwsgi_temp;
				    scgi_temp_path scgi_temp;
				    server {
				        listen 127.0.0.1:%d%s;
				        %s
				        location / {
				            return 200 "ok";
				        }
				    }
				}
				""".formatted(format, port, listenParameters, keepAlive);
	}

	@Override
	public String description() {
		return this.description;
	}

	/** The access log's lines as nginx wrote them, for what the suite's format leaves out (the protocol). */
	List<String> accessLogLines() {
		try {
			Path log = file("access.log");
			return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public Executions executions() {
		return new AccessLog(file("access.log"), 1);
	}

}
