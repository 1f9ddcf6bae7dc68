package dev.keepalive.metadata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README and {@code docs/} link to each other: every relative link names a file that exists and, with a
 * {@code #fragment}, a heading of that file (GitHub's anchor for it).
 */
class DocumentationTests {

	private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

	private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

	private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$", Pattern.MULTILINE);

	@Test
	void everyRelativeLinkReachesAFileAndHeading() throws IOException {
		List<String> broken = new ArrayList<>();
		int checked = 0;
		for (Path document : documents()) {
			Matcher link = LINK.matcher(read(document));
			while (link.find()) {
				String target = link.group(1);
				if (target.matches("^[a-z]+:.*")) {
					continue;
				}
				checked++;
				int hash = target.indexOf('#');
				String file = (hash < 0) ? target : target.substring(0, hash);
				Path resolved = file.isEmpty() ? document : document.getParent().resolve(file).normalize();
				if (!Files.exists(resolved)) {
					broken.add(ROOT.relativize(document) + ": " + target + " (no such file)");
				}
				else if (hash >= 0 && !anchors(resolved).contains(target.substring(hash + 1))) {
					broken.add(ROOT.relativize(document) + ": " + target + " (no such heading)");
				}
			}
		}
		assertThat(checked).as("relative links checked").isGreaterThan(10);
		assertThat(broken).isEmpty();
	}

	@Test
	void theReadmeLinksEveryDocument() throws IOException {
		String readme = read(ROOT.resolve("README.md"));
		try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
			assertThat(docs.map((doc) -> "docs/" + doc.getFileName())).allSatisfy(
					(doc) -> assertThat(readme).contains("](" + doc + ")"));
		}
	}

	/** GitHub's anchors: lower case, punctuation dropped, spaces as hyphens. */
	static String anchor(String heading) {
		return heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
	}

	private static Set<String> anchors(Path document) {
		Matcher heading = HEADING.matcher(read(document));
		return heading.results().map((match) -> anchor(match.group(1).strip())).collect(Collectors.toSet());
	}

	private static List<Path> documents() throws IOException {
		List<Path> documents = new ArrayList<>();
		documents.add(ROOT.resolve("README.md"));
		try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
			docs.filter((doc) -> doc.toString().endsWith(".md")).sorted().forEach(documents::add);
		}
		return documents;
	}

	static String read(Path path) {
		try {
			return Files.readString(path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
