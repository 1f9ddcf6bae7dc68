package dev.keepalive.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * TLS for the HTTP/1.1 peers with {@link TestCertificate#localhost()}: what a peer serves, and the Boot
 * properties with which the auto-configured clients trust it through an SSL bundle
 * ({@code spring.http.clients.ssl.bundle}).
 */
public final class TestTls {

	private static final String BUNDLE = "peer";

	private static TestTls instance;

	private final Path certificatePem;

	private final SSLContext serverContext;

	private TestTls(TestCertificate certificate) throws IOException, GeneralSecurityException {
		Path directory = Files.createTempDirectory("keepalive-tls");
		directory.toFile().deleteOnExit();
		this.certificatePem = Files.writeString(directory.resolve("peer.pem"), certificate.certificatePem());
		this.certificatePem.toFile().deleteOnExit();
		KeyStore store = KeyStore.getInstance("PKCS12");
		store.load(null, null);
		char[] password = "changeit".toCharArray();
		store.setKeyEntry("peer", certificate.privateKey(), password, new Certificate[] { certificate.certificate() });
		KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		keys.init(store, password);
		this.serverContext = SSLContext.getInstance("TLS");
		this.serverContext.init(keys.getKeyManagers(), null, null);
	}

	/** The peers' TLS, made on first use. */
	public static synchronized TestTls get() {
		if (instance == null) {
			try {
				instance = new TestTls(TestCertificate.localhost());
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			catch (GeneralSecurityException ex) {
				throw new IllegalStateException(ex);
			}
		}
		return instance;
	}

	/** What a peer serves TLS with. */
	SSLContext serverContext() {
		return this.serverContext;
	}

	/** Boot properties: an SSL bundle that trusts the peers' certificate, used by {@code spring.http.clients}. */
	public String[] clientBundle() {
		return new String[] { "spring.ssl.bundle.pem." + BUNDLE + ".truststore.certificate=file:" + this.certificatePem,
				"spring.http.clients.ssl.bundle=" + BUNDLE };
	}

}
