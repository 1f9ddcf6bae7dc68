package dev.keepalive.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Apache httpd in the foreground ({@code -D FOREGROUND}) with a whole configuration of its own: mpm_event,
 * {@code KeepAliveTimeout 2}, a static document {@code /ok} (GET and POST answer 200), an access log in the
 * suite's format. Started as root, its children run as nobody.
 */
final class ApacheHttpd extends LaunchedServer {

	private static final List<String> MODULE_DIRECTORIES = List.of("/usr/lib/apache2/modules", "/usr/lib64/httpd/modules",
			"/usr/lib/httpd/modules", "/usr/libexec/apache2", "/usr/local/apache2/modules");

	private ApacheHttpd(Launched launched) {
		super(launched);
	}

	static ApacheHttpd start() {
		String binary = Binary.APACHE_HTTPD.path().toString();
		Path modules = MODULE_DIRECTORIES.stream()
			.map(Path::of)
			.filter((directory) -> Files.exists(directory.resolve("mod_mpm_event.so")))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("Apache httpd's modules (mod_mpm_event.so) are in none of "
					+ MODULE_DIRECTORIES + ": install Apache httpd with its modules: apt-get install -y apache2"));
		WorkDirectory directory = WorkDirectory.create("httpd");
		directory.directory("htdocs");
		directory.write("htdocs/ok", "ok");
		return new ApacheHttpd(launch(directory, (port) -> {
			Path configuration = directory.write("httpd.conf", configuration(directory.path(), modules, port));
			return new Command("apache2", List.of(binary, "-f", configuration.toString(), "-D", "FOREGROUND"),
					directory.resolve("error.log"));
		}));
	}

	private static String configuration(Path directory, Path modules, int port) {
		return """
				ServerRoot "%1$s"
				ServerName 127.0.0.1
				Listen 127.0.0.1:%3$d
				<IfModule !mpm_event_module>
				    LoadModule mpm_event_module %2$s/mod_mpm_event.so
				</IfModule>
				<IfModule !authz_core_module>
				    LoadModule authz_core_module %2$s/mod_authz_core.so
				</IfModule>
				<IfModule !log_config_module>
				    LoadModule log_config_module %2$s/mod_log_config.so
				</IfModule>
				<IfModule !unixd_module>
				    LoadModule unixd_module %2$s/mod_unixd.so
				</IfModule>
				%4$s
				PidFile "%1$s/httpd.pid"
				DefaultRuntimeDir "%1$s"
				ErrorLog "%1$s/error.log"
				LogLevel info
				StartServers 1
				Timeout 10
				KeepAlive On
				KeepAliveTimeout 2
				MaxKeepAliveRequests 100
				DocumentRoot "%1$s/htdocs"
				<Directory "%1$s/htdocs">
				    Require all granted
				</Directory>
				LogFormat "%%{remote}p %%k %%m %%U%%q %%>s" interop
				CustomLog "%1$s/access.log" interop
				""".formatted(directory, modules, port,
				WorkDirectory.runningAsRoot() ? "User #65534\nGroup #65534" : "");
	}

	@Override
	public String description() {
		return "Apache httpd, mpm_event, KeepAliveTimeout 2";
	}

	@Override
	public Executions executions() {
		// %k: the keep-alive requests before this one on its connection, so the first is 0.
		return new AccessLog(file("access.log"), 0);
	}

}
