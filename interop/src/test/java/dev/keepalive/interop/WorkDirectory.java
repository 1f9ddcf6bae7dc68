package dev.keepalive.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A server's own temporary directory: its configuration, logs, pid file and documents. Readable by every user
 * (rwxr-xr-x), because a server started as root serves from worker processes that run as nobody.
 */
final class WorkDirectory implements AutoCloseable {

	private final Path path;

	private WorkDirectory(Path path) {
		this.path = path;
	}

	static WorkDirectory create(String name) {
		try {
			Path path = Files.createTempDirectory("keepalive-interop-" + name + "-");
			Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
			return new WorkDirectory(path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	Path path() {
		return this.path;
	}

	Path resolve(String name) {
		return this.path.resolve(name);
	}

	/** Write a file (readable by every user), creating its parent directories. */
	Path write(String name, String content) {
		try {
			Path file = this.path.resolve(name);
			Files.createDirectories(file.getParent());
			Files.writeString(file, content, StandardCharsets.UTF_8);
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Create a directory (rwxr-xr-x). */
	Path directory(String name) {
		try {
			Path directory = Files.createDirectories(this.path.resolve(name));
			Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
			return directory;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Whether this JVM runs as root, when servers switch their workers to an unprivileged user. */
	static boolean runningAsRoot() {
		return "root".equals(System.getProperty("user.name"));
	}

	@Override
	public void close() {
		try (Stream<Path> paths = Files.walk(this.path)) {
			paths.sorted(Comparator.reverseOrder()).forEach((each) -> each.toFile().delete());
		}
		catch (IOException ex) {
			// A leftover temporary directory is harmless.
		}
	}

}
