package dev.keepalive.client.reactor;

import java.net.SocketAddress;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import jdk.net.ExtendedSocketOptions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.netty.ConnectionObserver;
import reactor.netty.ChannelPipelineConfigurer;

import dev.keepalive.client.KeepAliveClientProperties;

/**
 * Switches TCP keepalive on for each new TCP connection of a Reactor Netty client, with the idle time,
 * interval and count set on the socket itself: as Epoll options on the native transport, as the JDK's
 * extended socket options on NIO. Runs once per connection, before it connects.
 */
final class TcpKeepAliveConfigurer implements ChannelPipelineConfigurer {

	private static final Log logger = LogFactory.getLog(TcpKeepAliveConfigurer.class);

	/**
	 * Netty's native transport options, by the names {@code EpollChannelOption} registers them under: the same
	 * constants, without a compile-time dependency on the native transport.
	 */
	private static final ChannelOption<Integer> EPOLL_KEEPIDLE = ChannelOption
		.valueOf("io.netty.channel.epoll.EpollChannelOption#TCP_KEEPIDLE");

	private static final ChannelOption<Integer> EPOLL_KEEPINTVL = ChannelOption
		.valueOf("io.netty.channel.epoll.EpollChannelOption#TCP_KEEPINTVL");

	private static final ChannelOption<Integer> EPOLL_KEEPCNT = ChannelOption
		.valueOf("io.netty.channel.epoll.EpollChannelOption#TCP_KEEPCNT");

	private final int idleSeconds;

	private final int intervalSeconds;

	private final int count;

	private volatile boolean warned;

	TcpKeepAliveConfigurer(KeepAliveClientProperties.TcpKeepAlive settings) {
		this.idleSeconds = Math.toIntExact(settings.getIdle().toSeconds());
		this.intervalSeconds = Math.toIntExact(settings.getInterval().toSeconds());
		this.count = settings.getCount();
	}

	@Override
	public void onChannelInit(ConnectionObserver observer, Channel channel, SocketAddress remoteAddress) {
		if (!(channel instanceof SocketChannel)) {
			return; // A domain socket or an HTTP/2 stream: no TCP of its own.
		}
		ChannelConfig config = channel.config();
		try {
			config.setOption(ChannelOption.SO_KEEPALIVE, true);
			// An option another transport does not know is refused with false.
			if (!(config.setOption(EPOLL_KEEPIDLE, this.idleSeconds)
					&& config.setOption(EPOLL_KEEPINTVL, this.intervalSeconds)
					&& config.setOption(EPOLL_KEEPCNT, this.count))) {
				config.setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), this.idleSeconds);
				config.setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), this.intervalSeconds);
				config.setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), this.count);
			}
		}
		catch (RuntimeException ex) {
			// A platform without the extended options: the kernel's defaults apply (often 2 h idle).
			if (!this.warned) {
				this.warned = true;
				logger.warn("keepalive: cannot set " + KeepAliveClientProperties.PREFIX + ".tcp-keep-alive on "
						+ channel.getClass().getSimpleName() + " connections (" + ex + "); the kernel's defaults apply");
			}
		}
	}

}
