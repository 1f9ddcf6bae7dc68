package dev.keepalive.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's access log in the suite's format, one request a line: {@code connection request-number method
 * uri status}, written by nginx's {@code log_format} or Apache's {@code LogFormat}.
 */
final class AccessLog implements Executions {

	/** The suite's five fields; a sixth (nginx's protocol on h2c) is not counted here. */
	private static final Pattern LINE = Pattern.compile("(\\S+) (\\d+) (\\S+) (\\S+) (\\d+)(?: \\S+)?");

	private static final Pattern ID = Pattern.compile("[?&]id=([^&\\s]+)");

	private final Path file;

	/** Apache's {@code %k} counts the requests before this one on the connection; nginx's counts from 1. */
	private final int firstRequestNumber;

	AccessLog(Path file, int firstRequestNumber) {
		this.file = file;
		this.firstRequestNumber = firstRequestNumber;
	}

	Path file() {
		return this.file;
	}

	@Override
	public List<Execution> all() {
		List<Execution> executions = new ArrayList<>();
		try {
			if (!Files.exists(this.file)) {
				return executions;
			}
			for (String line : Files.readAllLines(this.file, StandardCharsets.UTF_8)) {
				Matcher matcher = LINE.matcher(line);
				if (!matcher.matches()) {
					continue; // a partly written last line, or a request without a request line
				}
				Matcher id = ID.matcher(matcher.group(4));
				executions.add(new Execution(matcher.group(1),
						Integer.parseInt(matcher.group(2)) - this.firstRequestNumber + 1, matcher.group(3),
						id.find() ? id.group(1) : null, Integer.parseInt(matcher.group(5))));
			}
			return executions;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
