package dev.keepalive.interop;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * nginx 1.22 with {@code keepalive_timeout 2s;}: it closes idle connections at 2 s and says nothing about it,
 * even when asked. The starter reuses a connection for its {@code default-idle-timeout} (4 s) until the
 * first race it loses teaches it the path's cutoff.
 */
class NginxWithoutHeaderInteropTests extends InteropTests {

	@Override
	protected InteropServer startServer() {
		return Nginx.start("keepalive_timeout 2s;");
	}

	@Override
	protected String name() {
		return "nginx-2s";
	}

	@Override
	protected boolean advertisesItsRealTimeout() {
		return false;
	}

	@Test
	void advertisesNothingAndClosesAt2s() {
		try (RawHttpClient client = new RawHttpClient(server().port())) {
			RawHttpClient.Response response = client.get("/ok?id=asked", "Connection: keep-alive\r\n");
			assertThat(response.header("Keep-Alive")).as("asked: %s", response).isNull();
			assertThat(response.header("Connection")).isEqualTo("keep-alive");
		}
		assertThat(closeMillis()).as("idle closes %s", closes()).isBetween(1900L, 2300L);
	}

}
