package dev.keepalive.client.apache;

import java.time.Duration;

import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.TimeValue;

import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;

import dev.keepalive.client.KeepAliveClientProperties;
import dev.keepalive.client.Origins;

/**
 * Gives Boot's Apache HttpClient 5 builder the keep-alive rules of the Reactor Netty pool: each connection
 * tracks what it advertised and how it was used ({@link TrackedConnection}, {@link KeepAliveRequestExecutor}),
 * the pool keeps a released connection only for its idle cutoff ({@link IdleCutoffKeepAliveStrategy}) and
 * {@code max=N} requests ({@link RequestLimitReuseStrategy}), asks the connection before every hand-out
 * (validate-after-inactivity 0; the check is in memory, HttpClient's 1 ms read still only past 2 s idle), and
 * closes expired connections in the background.
 */
public final class HttpComponentsKeepAliveCustomizer
		implements ClientHttpRequestFactoryBuilderCustomizer<HttpComponentsClientHttpRequestFactoryBuilder> {

	private final Origins origins;

	private final long maxLifeMillis;

	private final KeepAliveClientProperties.TcpKeepAlive tcpKeepAlive;

	/**
	 * Create a customizer.
	 * @param origins the origins, with the policy that turns headers into limits
	 * @param properties the client properties
	 */
	public HttpComponentsKeepAliveCustomizer(Origins origins, KeepAliveClientProperties properties) {
		this.origins = origins;
		Duration maxLife = properties.getMaxLifeTime();
		this.maxLifeMillis = (maxLife != null) ? maxLife.toMillis() : Long.MAX_VALUE;
		this.tcpKeepAlive = properties.getTcpKeepAlive();
	}

	@Override
	public HttpComponentsClientHttpRequestFactoryBuilder customize(HttpComponentsClientHttpRequestFactoryBuilder builder) {
		return builder.withSocketConfigCustomizer(this::tcpKeepAlive)
			.withConnectionManagerCustomizer((manager) -> manager.setConnectionFactory(
					new TrackingConnectionFactory(ManagedHttpClientConnectionFactory.INSTANCE, this.maxLifeMillis)))
			.withConnectionConfigCustomizer((config) -> config.setValidateAfterInactivity(TimeValue.ZERO_MILLISECONDS))
			.withHttpClientCustomizer((client) -> client.setRequestExecutor(new KeepAliveRequestExecutor(this.origins))
				.setKeepAliveStrategy(new IdleCutoffKeepAliveStrategy(this.origins.policy()))
				.setConnectionReuseStrategy(new RequestLimitReuseStrategy())
				.evictExpiredConnections());
	}

	/** HttpClient sets these on each socket it connects (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT). */
	private void tcpKeepAlive(SocketConfig.Builder socket) {
		if (this.tcpKeepAlive.isEnabled()) {
			socket.setSoKeepAlive(true)
				.setTcpKeepIdle(Math.toIntExact(this.tcpKeepAlive.getIdle().toSeconds()))
				.setTcpKeepInterval(Math.toIntExact(this.tcpKeepAlive.getInterval().toSeconds()))
				.setTcpKeepCount(this.tcpKeepAlive.getCount());
		}
	}

}
