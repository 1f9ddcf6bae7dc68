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
 * inside the window make every plain client fail a clear share, while the starter loses none.
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

}
