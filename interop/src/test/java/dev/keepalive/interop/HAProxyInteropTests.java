package dev.keepalive.interop;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HAProxy 2.6, {@code timeout http-keep-alive 2s}, in front of a backend that advertises
 * {@code Keep-Alive: timeout=5}: HAProxy passes the header on and closes its clients' idle connections at
 * 2 s. The header describes the other hop; the starter must learn the real cutoff from the first race it
 * loses.
 */
class HAProxyInteropTests extends InteropTests {

	@Override
	protected InteropServer startServer() {
		return HAProxy.start();
	}

	@Override
	protected String name() {
		return "haproxy";
	}

	@Override
	protected boolean advertisesItsRealTimeout() {
		return false;
	}

	@Test
	void passesOnItsBackendsTimeout5AndClosesAt2s() {
		try (RawHttpClient client = new RawHttpClient(server().port())) {
			assertThat(client.get("/?id=facts", "").header("Keep-Alive")).isEqualTo("timeout=5");
		}
		assertThat(closeMillis()).as("idle closes %s", closes()).isBetween(1900L, 2300L);
	}

}
