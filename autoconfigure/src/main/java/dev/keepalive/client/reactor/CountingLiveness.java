package dev.keepalive.client.reactor;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import reactor.netty.http.HttpConnectionLiveness;

import dev.keepalive.client.Origin;

/**
 * Reactor Netty's PING health check, counted: a connection that closes while its PING is unanswered counts as
 * a PING failure of its origin. Runs on the connection's event loop, as the check does.
 */
final class CountingLiveness implements HttpConnectionLiveness {

	private final HttpConnectionLiveness check;

	private final Origin origin;

	/** A PING is out and no frame has answered it yet. */
	private boolean probing;

	CountingLiveness(HttpConnectionLiveness check, Origin origin) {
		this.check = check;
		this.origin = origin;
	}

	@Override
	public void check(ChannelHandlerContext ctx) {
		this.probing = true;
		this.check.check(ctx);
	}

	@Override
	public void receive(Object msg) {
		// The frames that end Reactor Netty's probe: its PING's ACK, or any HEADERS or DATA.
		if (this.probing && ((msg instanceof Http2PingFrame ping && ping.ack()) || msg instanceof Http2HeadersFrame
				|| msg instanceof Http2DataFrame)) {
			this.probing = false;
		}
		this.check.receive(msg);
	}

	@Override
	public void cancel() {
		// Called when the connection closes (or the handler goes): with a PING still unanswered, it failed.
		if (this.probing) {
			this.probing = false;
			this.origin.pingFailed();
		}
		this.check.cancel();
	}

}
