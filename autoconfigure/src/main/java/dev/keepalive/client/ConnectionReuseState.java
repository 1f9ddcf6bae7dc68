package dev.keepalive.client;

import java.util.List;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import dev.keepalive.client.KeepAlivePolicy.OriginPolicy;

/**
 * What one connection has learnt from its server, kept on the Netty channel so that the pool's eviction
 * predicate sees it. Written on the channel's event loop, read from any thread.
 */
final class ConnectionReuseState {

	static final AttributeKey<ConnectionReuseState> KEY = AttributeKey.valueOf(ConnectionReuseState.class.getName());

	private final OriginPolicy origin;

	private volatile ReuseLimits limits;

	/** The raw header the current limits came from: a repeated header is not parsed again. */
	private List<String> advertised;

	private ConnectionReuseState(OriginPolicy origin) {
		this.origin = origin;
		this.limits = origin.limits(null);
	}

	static ConnectionReuseState get(Channel channel) {
		return channel.attr(KEY).get();
	}

	static ConnectionReuseState attach(Channel channel, OriginPolicy origin) {
		ConnectionReuseState state = new ConnectionReuseState(origin);
		channel.attr(KEY).set(state);
		return state;
	}

	ReuseLimits limits() {
		return this.limits;
	}

	void advertised(List<String> values) {
		if (values.equals(this.advertised)) {
			return;
		}
		this.advertised = values;
		this.limits = this.origin.limits(KeepAliveHeader.parse(values).orElse(null));
	}

}
