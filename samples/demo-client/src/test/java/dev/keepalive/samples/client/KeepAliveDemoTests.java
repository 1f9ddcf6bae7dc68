package dev.keepalive.samples.client;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.keepalive.samples.server.DemoServerApplication;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo finds the race on whatever machine it runs: it measures where Tomcat closes, and gaps aimed
 * inside the window make every plain client fail a clear share, while the starter loses none; on h2c too, where
 * Tomcat's GOAWAY comes on a 1 s timer's tick.
 */
class KeepAliveDemoTests {

	private static final Duration DELAY = Duration.ofMillis(10);

	@Test
	void theMeasuredRaceWindowFailsEveryPlainClientAndNoClientWithTheStarter() throws Exception {
		try (ConfigurableApplicationContext server = DemoServerApplication.start("--server.port=0",
				"--server.address=127.0.0.1")) {
			InetSocketAddress target = new InetSocketAddress("127.0.0.1",
					((WebServerApplicationContext) server).getWebServer().getPort());
			KeepAliveDemo.Aim aim = KeepAliveDemo.aim(target, DELAY);
			assertThat(aim.close()).as("Tomcat's close after a 2 s keep-alive timeout").isBetween(1990L, 2300L);
			assertThat(aim.gaps()).hasSize(17).isSorted();
			assertThat(aim.gaps()[0]).isLessThan((int) (aim.close() - aim.window()));
			assertThat(aim.gaps()[16]).isGreaterThan((int) aim.close());

			// Six gaps inside the window, clear of its edges: the plain run must lose races on every client.
			int[] inside = Arrays.stream(aim.gaps())
				.filter((gap) -> gap > aim.close() - aim.window() + 2 && gap < aim.close() - 2)
				.limit(6)
				.toArray();
			assertThat(inside).hasSize(6);
			KeepAliveDemo.Run plain = KeepAliveDemo.run("plain", false, target, DELAY, inside, 1);
			assertThat(plain.results()).hasSize(3)
				.allSatisfy((client, result) -> assertThat(result.failures()).as(client).isGreaterThanOrEqualTo(2));
			KeepAliveDemo.Run starter = KeepAliveDemo.run("starter", true, target, DELAY, inside, 1);
			assertThat(starter.failures()).isZero();
		}
	}

	@Test
	void onH2cTomcatSendsGoAwayAtItsTimeoutTickAndRequestsCrossingItFailPlainBootButNotTheStarter() throws Exception {
		try (ConfigurableApplicationContext server = DemoServerApplication.start("--server.port=0",
				"--server.address=127.0.0.1", "--server.http2.enabled=true")) {
			InetSocketAddress target = new InetSocketAddress("127.0.0.1",
					((WebServerApplicationContext) server).getWebServer().getPort());
			KeepAliveDemo.Ticks ticks = KeepAliveDemo.aimAtTicks(target, DELAY);
			assertThat(ticks.closes()).hasSize(6).allSatisfy((close) -> {
				assertThat(close.goAway()).as("a GOAWAY before the close").isPositive();
				assertThat(close.errorCode()).as("NO_ERROR").isZero();
				assertThat(close.lastStreamId()).isEqualTo(1);
				assertThat(close.reset()).as("FIN, not a reset").isFalse();
				assertThat(close.endMillis()).as("at the first 1 s tick past 2 s").isBetween(1990L, 3100L);
			});
			assertThat(ticks.spread()).as("the ends fall on one 1 s clock").isLessThanOrEqualTo(15);

			// Three offsets well inside the window around the tick: every plain client must lose races.
			KeepAliveDemo.Ticks inside = new KeepAliveDemo.Ticks(ticks.tick(), ticks.spread(), ticks.closes(),
					new int[] { -10, -6, -2 });
			KeepAliveDemo.Run plain = KeepAliveDemo.run("plain on h2c", false, new String[] { "--demo.protocol=h2c" },
					target, DELAY, inside, 1);
			assertThat(plain.results()).hasSize(3).allSatisfy((client, result) -> {
				assertThat(result.protocol()).as(client).isEqualTo("HTTP/2.0");
				assertThat(result.failures()).as(client).isGreaterThanOrEqualTo(2);
			});
			KeepAliveDemo.Run starter = KeepAliveDemo.run("starter on h2c", true,
					new String[] { "--keepalive.client.protocol=h2c" }, target, DELAY, inside, 1);
			assertThat(starter.results()).allSatisfy(
					(client, result) -> assertThat(result.protocol()).as(client).isEqualTo("HTTP/2.0"));
			assertThat(starter.failures()).isZero();
		}
	}

}
