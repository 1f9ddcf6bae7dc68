package dev.keepalive.interop;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * nginx 1.22 with {@code keepalive_timeout 2s 2s; keepalive_requests 5;}: besides the idle close at 2 s, it
 * answers a connection's fifth request with {@code Connection: close} and closes it (no {@code max=} in its
 * header). Five quick requests follow each race gap, so that connections reach their fifth request.
 */
class NginxKeepaliveRequestsInteropTests extends InteropTests {

	private static final int KEEPALIVE_REQUESTS = 5;

	@Override
	protected InteropServer startServer() {
		return Nginx.start("keepalive_timeout 2s 2s; keepalive_requests " + KEEPALIVE_REQUESTS + ";");
	}

	@Override
	protected String name() {
		return "nginx-requests-5";
	}

	@Override
	protected boolean advertisesItsRealTimeout() {
		return true;
	}

	/** A race gap, then five quick requests: the connection opened after the gap reaches its fifth request. */
	@Override
	protected int quickRequests() {
		return KEEPALIVE_REQUESTS;
	}

	@Override
	protected int bursts() {
		return 10;
	}

	@Override
	protected void assertServerSide(Race.Result result) {
		assertThat(result.executed()).as("requests on their connections: %s", result.history())
			.allSatisfy((execution) -> assertThat(execution.onConnection()).isLessThanOrEqualTo(KEEPALIVE_REQUESTS))
			.anySatisfy((execution) -> assertThat(execution.onConnection()).isEqualTo(KEEPALIVE_REQUESTS));
	}

	@Test
	void closesAfterTheFifthRequest() {
		try (RawHttpClient client = new RawHttpClient(server().port())) {
			for (int i = 1; i < KEEPALIVE_REQUESTS; i++) {
				RawHttpClient.Response response = client.get("/ok?id=facts-" + i, "");
				assertThat(response.header("Connection")).as("response %d: %s", i, response).isEqualTo("keep-alive");
				assertThat(response.header("Keep-Alive")).isEqualTo("timeout=2");
			}
			RawHttpClient.Response last = client.get("/ok?id=facts-" + KEEPALIVE_REQUESTS, "");
			assertThat(last.header("Connection")).as("response %d: %s", KEEPALIVE_REQUESTS, last).isEqualTo("close");
			assertThat(last.header("Keep-Alive")).isNull();
			RawHttpClient.Close close = client.awaitClose();
			assertThat(close.how()).isEqualTo("FIN");
			assertThat(close.afterMillis()).isLessThan(500);
		}
		assertThat(closeMillis()).as("idle closes %s", closes()).isBetween(1900L, 2300L);
	}

}
