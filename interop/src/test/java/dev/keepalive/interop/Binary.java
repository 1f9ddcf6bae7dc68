package dev.keepalive.interop;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A binary the suite runs, a server or a network tool: found on the {@code PATH} or in {@code /usr/sbin} (where
 * Debian puts them, often not on a user's {@code PATH}), else a failure that says what to install. The suite
 * never skips what it cannot find: a green run means every server ran and every flow was dropped.
 */
enum Binary {

	NGINX("nginx", "nginx", "nginx"),

	APACHE_HTTPD("Apache httpd", "apache2", "apache2", "httpd"),

	HAPROXY("HAProxy", "haproxy", "haproxy"),

	/** Network namespaces and veth pairs ({@code ip netns}, {@code ip link}). */
	IP("iproute2's ip", "iproute2", "ip"),

	/** The kernel's view of a socket: its state and keepalive timer. */
	SS("iproute2's ss", "iproute2", "ss"),

	/** A rule that drops one flow silently. */
	NFT("nftables' nft", "nftables", "nft");

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
				+ " on the PATH and in /usr/sbin): the interop suite runs it and never skips what needs it. "
				+ "Install it: apt-get install -y " + this.debianPackage
				+ " (everything the suite needs: apt-get install -y apache2 nginx haproxy iproute2 nftables)");
	}

}
