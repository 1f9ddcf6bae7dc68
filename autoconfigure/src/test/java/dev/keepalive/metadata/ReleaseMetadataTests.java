package dev.keepalive.metadata;

import java.nio.file.Path;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a public release needs, as Maven Central asks for it: a release version with a changelog entry, a
 * description, URL, licence, developers and SCM, and sources and Javadoc jars beside the published jars.
 */
class ReleaseMetadataTests {

	private static final Path ROOT = Path.of("..");

	@Test
	void theParentPomCarriesWhatAReleaseNeeds() throws Exception {
		XPath pom = XPathFactory.newInstance().newXPath();
		Document document = document(ROOT.resolve("pom.xml"));
		String version = pom.evaluate("/project/version", document);
		assertThat(version).matches("\\d+\\.\\d+\\.\\d+");
		for (String element : new String[] { "description", "url", "licenses/license/name", "licenses/license/url",
				"developers/developer/name", "scm/url", "scm/connection" }) {
			assertThat(pom.evaluate("/project/" + element, document).strip()).as(element).isNotEmpty();
		}
		assertThat(DocumentationTests.read(ROOT.resolve("CHANGELOG.md"))).contains("## " + version + " - ");
		assertThat(DocumentationTests.read(ROOT.resolve("README.md"))).contains("<version>" + version + "</version>");
	}

	@Test
	void thePublishedModulesBuildSourcesAndJavadocJars() throws Exception {
		Document autoconfigure = document(ROOT.resolve("autoconfigure/pom.xml"));
		XPath xpath = XPathFactory.newInstance().newXPath();
		assertThat(xpath.evaluate("count(/project/build/plugins/plugin[artifactId='maven-source-plugin'])", autoconfigure))
			.isEqualTo("1");
		assertThat(xpath.evaluate("count(/project/build/plugins/plugin[artifactId='maven-javadoc-plugin'])", autoconfigure))
			.isEqualTo("1");
		Document starter = document(ROOT.resolve("starter/pom.xml"));
		assertThat(xpath.evaluate("count(//execution/configuration[classifier='sources'])", starter)).isEqualTo("1");
		assertThat(xpath.evaluate("count(//execution/configuration[classifier='javadoc'])", starter)).isEqualTo("1");
	}

	private static Document document(Path path) throws Exception {
		DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
		factory.setNamespaceAware(false);
		return factory.newDocumentBuilder().parse(path.toFile());
	}

}
