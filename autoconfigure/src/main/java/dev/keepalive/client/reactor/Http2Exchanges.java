package dev.keepalive.client.reactor;

import java.time.Duration;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import reactor.core.Exceptions;
import reactor.netty.http.Http2ConnectionLiveness;
import reactor.netty.http.IdleTimeoutHandler;
import reactor.netty.http.client.HttpClientRequest;

import dev.keepalive.client.ClientEngine;
import dev.keepalive.client.ConnectionReuseState;
import dev.keepalive.client.ExchangeFacts;
import dev.keepalive.client.KeepAliveClientProperties;
import dev.keepalive.client.Origin;
import dev.keepalive.client.Origins;

/**
 * The keep-alive rules on HTTP/2 (Reactor Netty). Each request runs on its own stream channel, whose
 * {@linkplain Http2StreamChannel#parent() parent} is the TCP connection: the connection's
 * {@link ConnectionReuseState} lives on the parent, so "reused", idle time, learning and discards are per
 * connection; each stream keeps only its exchange. Reads what the protocol says: a stream above a GOAWAY's
 * last-stream-id or reset with REFUSED_STREAM was not processed (RFC 9113 sections 6.8 and 8.7), which the
 * exchange's facts record for the resend rule; GOAWAY frames are counted per origin, and one that closes an
 * idle connection teaches its origin as a close does on HTTP/1.1. Installs Reactor Netty's PING health check
 * on each connection, which Reactor Netty itself enables only for pools without an eviction predicate.
 */
final class Http2Exchanges {

	/** The exchange a stream carries. */
	private static final AttributeKey<StreamExchange> STREAM = AttributeKey.valueOf(StreamExchange.class.getName());

	private static final String SIGNALS = "keepalive.http2Signals";

	/** A stream ended: its connection may be idle from now. */
	private static final ChannelFutureListener STREAM_ENDED = (future) -> {
		StreamExchange exchange = future.channel().attr(STREAM).get();
		if (exchange != null) {
			exchange.connection.streamEnded(System.nanoTime());
		}
	};

	private final Origins origins;

	private final long pingIntervalMillis;

	private final long pingAckTimeoutNanos;

	Http2Exchanges(Origins origins, KeepAliveClientProperties.Http2 http2) {
		this.origins = origins;
		this.pingIntervalMillis = http2.getPingInterval().toMillis();
		this.pingAckTimeoutNanos = http2.getPingAckTimeout().toNanos();
	}

	/**
	 * A request is about to be written on a new stream.
	 * @throws RuntimeException the {@link dev.keepalive.client.UnsentRequestException} when its connection is
	 * idle past its cutoff (the connection is closed; nothing was written)
	 */
	void requestStarted(HttpClientRequest request, Http2StreamChannel stream) {
		Channel parent = stream.parent();
		ConnectionReuseState connection = KeepAliveHttpClientCustomizer.stateOf(parent);
		if (connection == null) {
			Origin origin = this.origins.forUrl(ClientEngine.REACTOR_NETTY, request.resourceUrl());
			connection = new ConnectionReuseState(origin, (parent.pipeline().get(SslHandler.class) != null) ? "h2" : "h2c",
					true);
			KeepAliveHttpClientCustomizer.attach(parent, connection);
			watch(parent, connection);
		}
		ExchangeFacts facts = request.currentContextView().getOrDefault(ExchangeFacts.CONTEXT_KEY, null);
		long now = System.nanoTime();
		boolean send = connection.requestStarted(facts, now);
		stream.attr(STREAM).set(new StreamExchange(connection, facts, now));
		stream.closeFuture().addListener(STREAM_ENDED);
		if (stream.pipeline().get(SIGNALS) == null) {
			stream.pipeline().addFirst(SIGNALS, Signals.INSTANCE);
		}
		if (!send) {
			// Idle past its cutoff, so it carries nothing else: close the connection, not only the stream.
			parent.close();
			throw Exceptions.propagate(connection.unsent(facts));
		}
	}

	/** The response headers of a stream arrived. */
	void responseStarted(Http2StreamChannel stream) {
		StreamExchange exchange = stream.attr(STREAM).get();
		if (exchange != null) {
			exchange.connection.responseStarted(exchange.facts, exchange.startNanos);
		}
	}

	/** Once per connection, at its first stream: GOAWAY counting and learning, PING liveness. */
	private void watch(Channel parent, ConnectionReuseState connection) {
		Http2FrameCodec codec = parent.pipeline().get(Http2FrameCodec.class);
		if (codec == null) {
			return;
		}
		codec.connection().addListener(new Http2ConnectionAdapter() {

			@Override
			public void onGoAwayReceived(int lastStreamId, long errorCode, ByteBuf debugData) {
				connection.origin().goAwayReceived(errorCode);
				if (errorCode == Http2Error.NO_ERROR.code()) {
					connection.goAwayWhileIdle(System.nanoTime());
				}
			}

		});
		if (this.pingIntervalMillis > 0) {
			Origin origin = connection.origin();
			IdleTimeoutHandler.addIdleTimeoutHandler(parent.pipeline(),
					Duration.ofMillis(origin.pingIntervalMillis(this.pingIntervalMillis)),
					new CountingLiveness(new Http2ConnectionLiveness(codec, 1, this.pingAckTimeoutNanos), origin));
		}
	}

	/** What a stream carries: its connection's state, its caller's facts, when its request started. */
	private record StreamExchange(ConnectionReuseState connection, ExchangeFacts facts, long startNanos) {
	}

	/**
	 * Reads the stream-level signals Netty's {@code Http2MultiplexHandler} fires on a stream channel: a GOAWAY
	 * whose last-stream-id is below the stream, and a RST_STREAM; passes every event on.
	 */
	@ChannelHandler.Sharable
	static final class Signals extends ChannelInboundHandlerAdapter {

		static final Signals INSTANCE = new Signals();

		@Override
		public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
			if (event instanceof Http2GoAwayFrame) {
				unprocessed(ctx.channel(), ExchangeFacts.Unprocessed.GOAWAY);
			}
			else if (event instanceof Http2ResetFrame reset && reset.errorCode() == Http2Error.REFUSED_STREAM.code()) {
				StreamExchange exchange = ctx.channel().attr(STREAM).get();
				if (exchange != null) {
					exchange.connection.origin().streamRefused();
				}
				unprocessed(ctx.channel(), ExchangeFacts.Unprocessed.REFUSED_STREAM);
			}
			ctx.fireUserEventTriggered(event);
		}

		private static void unprocessed(Channel stream, ExchangeFacts.Unprocessed signal) {
			StreamExchange exchange = stream.attr(STREAM).get();
			if (exchange != null && exchange.facts != null) {
				exchange.facts.unprocessed(signal);
			}
		}

	}

}
