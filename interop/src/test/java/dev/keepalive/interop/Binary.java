package dev.keepalive.interop;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A server binary the suite runs: found on the {@code PATH} or in {@code /usr/sbin} (where Debian puts them,
 * often not on a user's {@code PATH}), else a failure that says what to install. The suite never skips a
 * server it cannot find: a green run means every server ran.
 */
enum Binary {

	NGINX("nginx", "nginx", "nginx"),

	APACHE_HTTPD("Apache httpd", "apache2", "apache2", "httpd"),

	HAPROXY("HAProxy", "haproxy", "haproxy");

	private final String product;

	private final String debianPackage;

	private final String[] names;

	Binary(String product, String debianPackage, String... names) {
		this.product = product;
		this.debianPackage = debianPackage;
		this.names = names;
	}

	/** The executable, or an {@link IllegalStateException} that names the package to install. */
	Path path() {
		List<Path> directories = new ArrayList<>();
		String path = System.getenv("PATH");
		if (path != null) {
			for (String directory : path.split(File.pathSeparator)) {
				if (!directory.isEmpty()) {
					directories.add(Path.of(directory));
				}
			}
		}
		directories.add(Path.of("/usr/sbin"));
		directories.add(Path.of("/usr/local/sbin"));
		for (String name : this.names) {
			for (Path directory : directories) {
				Path candidate = directory.resolve(name);
				if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
					return candidate;
				}
			}
		}
		throw new IllegalStateException(this.product + " is not installed (looked for " + String.join(" or ", this.names)
				+ " on the PATH and in /usr/sbin): the interop suite runs the real server and never skips it. "
				+ "Install it: apt-get install -y " + this.debianPackage
				+ " (all three: apt-get install -y apache2 nginx haproxy)");
	}

}
