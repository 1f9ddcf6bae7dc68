package dev.keepalive.interop;

import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A server binary the suite launched in the foreground, in a work directory of its own, on a free loopback
 * port: its port, its logs for a failure message, and stopping it with its directory.
 */
abstract class LaunchedServer implements InteropServer {

	private final WorkDirectory directory;

	private final int port;

	private final ServerProcess process;

	LaunchedServer(Launched launched) {
		this.directory = launched.directory();
		this.port = launched.port();
		this.process = launched.process();
	}

	/**
	 * Launch a server on a free port, its configuration written for that port first; up to three ports when
	 * another process takes the free one meanwhile. The directory is removed when the launch fails.
	 * @param directory the server's work directory
	 * @param command for a port: write the configuration, say what to run
	 * @return the running server's parts
	 */
	static Launched launch(WorkDirectory directory, IntFunction<Command> command) {
		for (int attempt = 1;; attempt++) {
			int port = ServerProcess.freePort();
			Command launch = command.apply(port);
			try {
				return new Launched(directory, port,
						ServerProcess.start(launch.name(), launch.arguments(), directory.path(), launch.log(), port));
			}
			catch (IllegalStateException ex) {
				if (attempt == 3 || !ex.getMessage().contains("ddress already in use")) {
					directory.close();
					throw ex;
				}
			}
		}
	}

	@Override
	public int port() {
		return this.port;
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

	/** A file in the server's work directory. */
	Path file(String name) {
		return this.directory.resolve(name);
	}

	/**
	 * What to run.
	 * @param name the server's name, for messages
	 * @param arguments the command line
	 * @param log the file the server writes its errors to
	 */
	record Command(String name, List<String> arguments, Path log) {
	}

	/** A launched server's parts. */
	record Launched(WorkDirectory directory, int port, ServerProcess process) {
	}

}
