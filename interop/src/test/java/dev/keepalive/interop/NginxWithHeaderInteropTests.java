package dev.keepalive.interop;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * nginx 1.22 with {@code keepalive_timeout 2s 2s;}: it closes idle connections at 2 s and says so,
 * {@code Keep-Alive: timeout=2}, on every keep-alive response.
 */
class NginxWithHeaderInteropTests extends InteropTests {

	@Override
	protected InteropServer startServer() {
		return Nginx.start("keepalive_timeout 2s 2s;");
	}

	@Override
	protected String name() {
		return "nginx-2s-2s";
	}

	@Override
	protected boolean advertisesItsRealTimeout() {
		return true;
	}

	@Test
	void advertisesTimeout2AndClosesAt2s() {
		try (RawHttpClient client = new RawHttpClient(server().port())) {
			assertThat(client.get("/ok?id=unasked", "").header("Keep-Alive")).isEqualTo("timeout=2");
		}
		assertThat(closeMillis()).as("idle closes %s", closes()).isBetween(1900L, 2300L);
	}

}
