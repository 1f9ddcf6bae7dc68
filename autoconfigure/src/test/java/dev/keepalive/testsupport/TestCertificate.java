package dev.keepalive.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1} (both as subject alternative names, so
 * that a client's host name verification passes whichever it dials), made at run time with the JDK alone: an
 * EC P-256 key and a few lines of DER. No BouncyCastle, no keytool process, no file unless asked for; Netty's
 * own {@code SelfSignedCertificate} is deprecated in 4.2 and, on this classpath (no BouncyCastle PKIX, no
 * {@code netty-pkitesting}), would shell out to keytool and name only {@code CN=localhost}.
 * <p>
 * A client trusts it with {@link #certificate()} (Netty's {@code trustManager(X509Certificate...)}), or with
 * {@link #certificatePem()} as a Spring Boot SSL bundle's
 * {@code spring.ssl.bundle.pem.<name>.truststore.certificate} (Boot takes PEM text as well as a location), or
 * with a PKCS#12 {@link #trustStore(Path) trust store file}.
 */
public final class TestCertificate {

	private final PrivateKey privateKey;

	private final X509Certificate certificate;

	private TestCertificate(PrivateKey privateKey, X509Certificate certificate) {
		this.privateKey = privateKey;
		this.certificate = certificate;
	}

	/** A new key pair and certificate, valid from a day ago for a year. */
	public static TestCertificate localhost() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"));
			KeyPair keys = generator.generateKeyPair();
			byte[] name = name("localhost");
			ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
			byte[] ecdsaWithSha256 = sequence(oid(0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02));
			byte[] subjectAltName = sequence(oid(0x55, 0x1D, 0x11), tlv(0x04,
					sequence(tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)), tlv(0x87, new byte[] { 127, 0, 0, 1 }))));
			byte[] tbs = sequence(tlv(0xA0, tlv(0x02, new byte[] { 2 })), // v3
					tlv(0x02, new BigInteger(63, new SecureRandom()).add(BigInteger.ONE).toByteArray()), ecdsaWithSha256,
					name, sequence(utcTime(now.minusDays(1)), utcTime(now.plusYears(1))), name,
					keys.getPublic().getEncoded(), tlv(0xA3, sequence(subjectAltName)));
			Signature signature = Signature.getInstance("SHA256withECDSA");
			signature.initSign(keys.getPrivate());
			signature.update(tbs);
			byte[] signed = signature.sign();
			byte[] bitString = new byte[signed.length + 1]; // leading 0: no unused bits
			System.arraycopy(signed, 0, bitString, 1, signed.length);
			byte[] der = sequence(tbs, ecdsaWithSha256, tlv(0x03, bitString));
			X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
				.generateCertificate(new java.io.ByteArrayInputStream(der));
			certificate.verify(keys.getPublic());
			return new TestCertificate(keys.getPrivate(), certificate);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot make a self-signed certificate", ex);
		}
	}

	/** The certificate: what a client trusts, and what the server presents. */
	public X509Certificate certificate() {
		return this.certificate;
	}

	public PrivateKey privateKey() {
		return this.privateKey;
	}

	/** The certificate as PEM text ({@code -----BEGIN CERTIFICATE-----}). */
	public String certificatePem() {
		try {
			return pem("CERTIFICATE", this.certificate.getEncoded());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The private key as unencrypted PKCS#8 PEM text ({@code -----BEGIN PRIVATE KEY-----}). */
	public String privateKeyPem() {
		return pem("PRIVATE KEY", this.privateKey.getEncoded());
	}

	/**
	 * Write a PKCS#12 trust store holding the certificate, password {@code changeit}, into a directory.
	 * @return the file
	 */
	public Path trustStore(Path directory) {
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			store.setCertificateEntry("localhost", this.certificate);
			Path file = Files.createTempFile(directory, "truststore", ".p12");
			try (var out = Files.newOutputStream(file)) {
				store.store(out, "changeit".toCharArray());
			}
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String pem(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(der)
				+ "\n-----END " + type + "-----\n";
	}

	/** {@code CN=<commonName>}. */
	private static byte[] name(String commonName) {
		return sequence(tlv(0x31, sequence(oid(0x55, 0x04, 0x03), tlv(0x0C, commonName.getBytes(StandardCharsets.UTF_8)))));
	}

	private static byte[] utcTime(ZonedDateTime time) {
		return tlv(0x17, DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").format(time).getBytes(StandardCharsets.US_ASCII));
	}

	private static byte[] oid(int... encoded) {
		byte[] bytes = new byte[encoded.length];
		for (int i = 0; i < encoded.length; i++) {
			bytes[i] = (byte) encoded[i];
		}
		return tlv(0x06, bytes);
	}

	private static byte[] sequence(byte[]... elements) {
		ByteArrayOutputStream content = new ByteArrayOutputStream();
		for (byte[] element : elements) {
			content.writeBytes(element);
		}
		return tlv(0x30, content.toByteArray());
	}

	/** One DER element: tag, definite length, content. */
	private static byte[] tlv(int tag, byte[] content) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(tag);
		int length = content.length;
		if (length < 0x80) {
			out.write(length);
		}
		else {
			byte[] lengthBytes = BigInteger.valueOf(length).toByteArray();
			int skip = (lengthBytes[0] == 0) ? 1 : 0;
			out.write(0x80 | (lengthBytes.length - skip));
			out.write(lengthBytes, skip, lengthBytes.length - skip);
		}
		out.writeBytes(content);
		return out.toByteArray();
	}

}
