package dev.keepalive.interop;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Apache httpd 2.4, mpm_event, {@code KeepAliveTimeout 2}: it advertises {@code Keep-Alive: timeout=2, max=100}
 * only to a request that says {@code Connection: keep-alive}, which the starter's clients do on a
 * connection's first request (Apache HttpClient 5 on every one); plain Reactor Netty does not ask and is not
 * told.
 */
class ApacheHttpdInteropTests extends InteropTests {

	@Override
	protected InteropServer startServer() {
		return ApacheHttpd.start();
	}

	@Override
	protected String name() {
		return "httpd";
	}

	@Override
	protected boolean advertisesItsRealTimeout() {
		return true;
	}

	@Test
	void advertisesItsTimeoutOnlyWhenAskedAndClosesAtIt() {
		try (RawHttpClient client = new RawHttpClient(server().port())) {
			assertThat(client.get("/ok?id=unasked", "").header("Keep-Alive")).as("not asked").isNull();
			RawHttpClient.Response asked = client.get("/ok?id=asked", "Connection: keep-alive\r\n");
			assertThat(asked.header("Keep-Alive")).as("asked: %s", asked).isEqualTo("timeout=2, max=99");
		}
		assertThat(closeMillis()).as("idle closes %s", closes()).isBetween(1900L, 2300L);
	}

}
