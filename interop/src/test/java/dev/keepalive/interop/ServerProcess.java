package dev.keepalive.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server binary running in the foreground, started by a test with a configuration the test wrote: waits
 * (bounded) until it accepts connections on its ports, and on {@link #close} stops it and every process it
 * started, forcibly if they do not stop in time. A server that does not come up fails with its output and
 * its error log.
 */
final class ServerProcess implements AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

	private final String name;

	private final Process process;

	private final Path output;

	private final Path errorLog;

	private ServerProcess(String name, Process process, Path output, Path errorLog) {
		this.name = name;
		this.process = process;
		this.output = output;
		this.errorLog = errorLog;
	}

	/**
	 * Start the command in {@code directory} and wait until every port accepts a connection on loopback.
	 * @param errorLog the server's own error log, shown when it fails
	 */
	static ServerProcess start(String name, List<String> command, Path directory, Path errorLog, int... ports) {
		return start(name, command, directory, errorLog, InetAddress.getLoopbackAddress(), ports);
	}

	/**
	 * Start the command in {@code directory} and wait until every port accepts a connection on {@code host}
	 * (a server in a network namespace listens on its own address).
	 * @param errorLog the server's own error log, shown when it fails
	 */
	static ServerProcess start(String name, List<String> command, Path directory, Path errorLog, InetAddress host,
			int... ports) {
		Path output = directory.resolve(name.replaceAll("[^A-Za-z0-9]+", "-") + ".out");
		Process process;
		try {
			process = new ProcessBuilder(command).directory(directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(output.toFile())
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run " + command, ex);
		}
		ServerProcess server = new ServerProcess(name, process, output, errorLog);
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		for (int port : ports) {
			while (!accepts(host, port)) {
				if (!process.isAlive() || System.nanoTime() > deadline) {
					String why = process.isAlive() ? "did not listen on port " + port + " within " + START_TIMEOUT.toSeconds() + " s"
							: "exited with status " + process.exitValue();
					server.close();
					throw new IllegalStateException(name + " " + why + ": " + String.join(" ", command) + "\n"
							+ server.describeLogs());
				}
				sleep(50);
			}
		}
		return server;
	}

	/** A port that was free a moment ago on loopback, for a server to listen on. */
	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The server's output and its error log, for a failure message. */
	String describeLogs() {
		String logs = "--- " + this.output + ":\n" + read(this.output);
		return this.errorLog.equals(this.output) ? logs : logs + "--- " + this.errorLog + ":\n" + read(this.errorLog);
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	@Override
	public void close() {
		List<ProcessHandle> all = new ArrayList<>(this.process.descendants().toList());
		all.add(this.process.toHandle());
		this.process.destroy();
		try {
			if (!this.process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				System.err.println(this.name + " did not stop within " + STOP_TIMEOUT.toSeconds() + " s: killing it");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
		for (ProcessHandle handle : all) {
			while (handle.isAlive() && System.nanoTime() < deadline) {
				sleep(20);
			}
			if (handle.isAlive()) {
				handle.destroyForcibly();
			}
		}
	}

	private static boolean accepts(InetAddress host, int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 200);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static String read(Path file) {
		try {
			return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(none)\n";
		}
		catch (IOException ex) {
			return "(unreadable: " + ex + ")\n";
		}
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
