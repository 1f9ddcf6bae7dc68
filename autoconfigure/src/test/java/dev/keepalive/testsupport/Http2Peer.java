package dev.keepalive.testsupport;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLException;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * An HTTP/2 server on a loopback port of its own whose every frame a test controls: h2c by prior knowledge,
 * or h2 over TLS negotiated by ALPN with a {@link TestCertificate} made at start. It speaks HTTP/2 with
 * Netty's frame reader and writer only, without Netty's connection state machine, so that nothing is sent
 * that the test did not ask for (Netty's {@code Http2FrameCodec} would refuse a stream above a GOAWAY's
 * last-stream-id with RST_STREAM, and chooses that id itself).
 * <p>
 * What a test controls:
 * <ul>
 * <li>each request, by a {@link Script} that picks an {@link Action} when its HEADERS arrive: answer 200
 * "ok" once the request is read in full ({@link Action#OK}, the only one besides
 * {@link Action#PROCESS_THEN_CLOSE} that counts as <em>processed</em>), RST_STREAM(REFUSED_STREAM), a GOAWAY
 * whose last-stream-id is below the stream, a bare close, or silence; {@link #refuseNext(int)} refuses the
 * next requests whatever the script says;</li>
 * <li>the idle timeout: a connection without an active stream for that long gets GOAWAY(NO_ERROR,
 * last-stream-id = the last stream processed) and is closed {@link Builder#goAwayGrace a grace} later, or is
 * closed bare ({@link Idle});</li>
 * <li>after a GOAWAY the peer ignores (neither processes nor resets) every stream above its last-stream-id,
 * as nghttp2 (Node) and Go do, so a request that crossed the GOAWAY on the wire fails only by the close; or
 * refuses it, as a Netty server does ({@link Builder#refuseAfterGoAway()});</li>
 * <li>a one-way {@link Builder#oneWayDelay network delay} on everything it writes and reads (a FIN
 * included), so that such a crossing is real; alternatively put a {@link DelayingRelay} in front, which
 * carries h2 and TLS as any TCP.</li>
 * </ul>
 * It counts connections, streams per connection, GOAWAYs and RST_STREAMs sent, PINGs received and acked, and
 * how many times each request id ({@code X-Request-Id}, else an {@code id} query parameter) was processed;
 * {@link #history()} tells what it saw, frame by frame, for a failing assertion. Each response carries
 * {@code x-peer-connection} and {@code x-peer-stream}.
 */
public final class Http2Peer implements Closeable {

	/** What the peer does with a request, decided when its HEADERS arrive. */
	public enum Action {

		/** Read the request in full, process it (counted), answer 200 "ok". */
		OK,

		/** RST_STREAM(REFUSED_STREAM) at once; not processed. */
		REFUSE,

		/**
		 * GOAWAY(NO_ERROR) with last-stream-id = the highest stream that arrived before this one; this and
		 * later streams are not processed (ignored, or refused after {@link Builder#refuseAfterGoAway()}),
		 * earlier ones still answered; the connection closes a {@link Builder#goAwayGrace grace} later.
		 */
		GOAWAY,

		/** Read the request in full, then close the connection (no GOAWAY, no answer); not processed. */
		CLOSE,

		/** Read the request in full, process it (counted), then close the connection without an answer. */
		PROCESS_THEN_CLOSE,

		/**
		 * From now on write nothing on this connection (no answer, no PING ack, no SETTINGS ack, no GOAWAY,
		 * no close); this request is not processed. The connection stays open until the client closes it.
		 */
		SILENT

	}

	/** What the peer does with a connection idle for its idle timeout. */
	public enum Idle {

		/** GOAWAY(NO_ERROR, last processed stream), then close after the grace. */
		GOAWAY,

		/** Close the TCP connection, no GOAWAY. */
		CLOSE

	}

	/**
	 * One request as its HEADERS arrived.
	 *
	 * @param connection the connection's number, from 1 in accept order
	 * @param streamId the stream id
	 * @param index the stream's number on its connection, from 1
	 * @param method the method
	 * @param path the {@code :path}
	 * @param id the request id: {@code x-request-id}, else the {@code id} query parameter, else {@code null}
	 */
	public record Request(int connection, int streamId, int index, String method, String path, String id) {
	}

	/** Decides what to do with each request. */
	@FunctionalInterface
	public interface Script {

		Action on(Request request);

		/** {@link Action#OK} for every request. */
		static Script ok() {
			return (request) -> Action.OK;
		}

		/** {@code action} for the request with this id, OK for the others. */
		static Script onId(String id, Action action) {
			return (request) -> id.equals(request.id()) ? action : Action.OK;
		}

		/** {@code action} for the {@code index}-th stream of every connection, OK for the others. */
		static Script onStream(int index, Action action) {
			return (request) -> (request.index() == index) ? action : Action.OK;
		}

	}

	/** A GOAWAY the peer sent. */
	public record GoAway(int connection, int lastStreamId, long errorCode) {
	}

	/** An RST_STREAM the peer sent. */
	public record Reset(int connection, int streamId, long errorCode) {
	}

	private static final byte[] PREFACE = ByteBufUtil.getBytes(Http2CodecUtil.connectionPrefaceBuf());

	private final long startNanos = System.nanoTime();

	private final Builder config;

	private final TestCertificate certificate;

	private final EventLoopGroup group;

	private final Channel server;

	private final AtomicInteger connections = new AtomicInteger();

	private final AtomicInteger refuseNext = new AtomicInteger();

	private final AtomicInteger pingsReceived = new AtomicInteger();

	private final AtomicInteger pingsAcked = new AtomicInteger();

	private final AtomicInteger ignored = new AtomicInteger();

	private final AtomicInteger closedByPeer = new AtomicInteger();

	private final AtomicInteger closedByClient = new AtomicInteger();

	private final Map<Integer, AtomicInteger> streams = new ConcurrentHashMap<>();

	private final Map<Integer, String> protocols = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();

	private final Queue<GoAway> goAways = new ConcurrentLinkedQueue<>();

	private final Queue<Reset> resets = new ConcurrentLinkedQueue<>();

	private final Queue<String> history = new ConcurrentLinkedQueue<>();

	private Http2Peer(Builder config) throws InterruptedException, SSLException {
		this.config = config;
		this.certificate = config.tls ? TestCertificate.localhost() : null;
		SslContext sslContext = config.tls ? SslContextBuilder
			.forServer(this.certificate.privateKey(), this.certificate.certificate())
			.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
					ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
					ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
			.build() : null;
		this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
		this.server = new ServerBootstrap().group(this.group)
			.channel(NioServerSocketChannel.class)
			// The client's FIN is an event the delay can hold back, not an immediate close.
			.childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
			.childHandler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel channel) {
					int number = Http2Peer.this.connections.incrementAndGet();
					if (config.oneWayDelay.compareTo(Duration.ZERO) > 0) {
						channel.pipeline().addLast(new Delay(config.oneWayDelay.toNanos()));
					}
					if (sslContext != null) {
						channel.pipeline().addLast(sslContext.newHandler(channel.alloc()));
					}
					channel.pipeline().addLast(new Connection(number));
				}
			})
			.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
			.sync()
			.channel();
	}

	/** A peer speaking h2c by prior knowledge (a client with {@code HttpProtocol.H2C}). */
	public static Builder cleartext() {
		return new Builder(false);
	}

	/** A peer speaking h2 over TLS, offering only {@code h2} by ALPN, with a self-signed {@link #certificate()}. */
	public static Builder tls() {
		return new Builder(true);
	}

	/** {@code http://127.0.0.1:port/path}, or {@code https://} for a TLS peer. */
	public String url(String path) {
		return (this.config.tls ? "https" : "http") + "://127.0.0.1:" + port() + path;
	}

	public int port() {
		return ((InetSocketAddress) this.server.localAddress()).getPort();
	}

	/** The certificate a TLS peer presents (for a client to trust), {@code null} for a cleartext one. */
	public TestCertificate certificate() {
		return this.certificate;
	}

	/** Refuse the next {@code count} requests, on any connection, with RST_STREAM(REFUSED_STREAM). */
	public void refuseNext(int count) {
		this.refuseNext.set(count);
	}

	/** Connections accepted so far. */
	public int connections() {
		return this.connections.get();
	}

	/** Streams that arrived on a connection (processed, refused or ignored). */
	public int streams(int connection) {
		AtomicInteger count = this.streams.get(connection);
		return (count != null) ? count.get() : 0;
	}

	/** Streams that arrived on all connections. */
	public int streams() {
		return this.streams.values().stream().mapToInt(AtomicInteger::get).sum();
	}

	/**
	 * The application protocol TLS negotiated by ALPN on a connection: {@code "h2"}, or {@code "none"} when the
	 * client offered nothing the peer speaks; {@code "h2c"} for a cleartext peer; {@code null} before the
	 * handshake.
	 */
	public String protocol(int connection) {
		return this.protocols.get(connection);
	}

	/** How many times the request with this id was processed (its handler ran). */
	public int processed(String id) {
		AtomicInteger count = this.processed.get(id);
		return (count != null) ? count.get() : 0;
	}

	/** Requests processed, all ids together (those without an id included). */
	public int processed() {
		return this.processed.values().stream().mapToInt(AtomicInteger::get).sum();
	}

	/** The GOAWAY frames sent, in order. */
	public List<GoAway> goAways() {
		return List.copyOf(this.goAways);
	}

	/** The RST_STREAM frames sent, in order. */
	public List<Reset> resets() {
		return List.copyOf(this.resets);
	}

	/**
	 * Streams that arrived above a GOAWAY's last-stream-id, or after the peer closed the connection (in its
	 * view: a delayed read), and were ignored.
	 */
	public int ignored() {
		return this.ignored.get();
	}

	public int pingsReceived() {
		return this.pingsReceived.get();
	}

	public int pingsAcked() {
		return this.pingsAcked.get();
	}

	/** Connections the peer closed (idle, after a GOAWAY's grace, or by a script). */
	public int closedByPeer() {
		return this.closedByPeer.get();
	}

	/** Connections the client closed. */
	public int closedByClient() {
		return this.closedByClient.get();
	}

	/**
	 * What the peer saw and did, in order, each line with the milliseconds since it started and the
	 * connection: meant for an assertion's description.
	 */
	public String history() {
		return String.join("\n", this.history);
	}

	@Override
	public void close() {
		this.server.close().syncUninterruptibly();
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
	}

	private void record(int connection, String event) {
		this.history.add(String.format(Locale.ROOT, "+%5d ms c%d %s",
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.startNanos), connection, event));
	}

	private static String requestId(Http2Headers headers, String path) {
		CharSequence header = headers.get("x-request-id");
		if (header != null) {
			return header.toString();
		}
		int query = path.indexOf('?');
		if (query >= 0) {
			for (String parameter : path.substring(query + 1).split("&")) {
				if (parameter.startsWith("id=")) {
					return parameter.substring(3);
				}
			}
		}
		return null;
	}

	/** One stream the peer accepted, until it is answered or closed. */
	private static final class Stream {

		final Request request;

		final Action action;

		Stream(Request request, Action action) {
			this.request = request;
			this.action = action;
		}

	}

	/** One HTTP/2 connection, on its event loop: reads frames, applies the script, writes frames. */
	private final class Connection extends ByteToMessageDecoder {

		private final int number;

		private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();

		private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();

		private final Map<Integer, Stream> active = new HashMap<>();

		private ChannelHandlerContext ctx;

		private boolean prefaceRead;

		private int index;

		private int lastStreamId;

		private int lastProcessed;

		private int goAwayLastStreamId = -1;

		private boolean silent;

		private boolean closing;

		private ScheduledFuture<?> idleTimer;

		Connection(int number) {
			this.number = number;
		}

		@Override
		public void handlerAdded(ChannelHandlerContext ctx) {
			this.ctx = ctx;
			if (!Http2Peer.this.config.tls) {
				Http2Peer.this.protocols.put(this.number, "h2c");
			}
			record(this.number, "accepted");
		}

		@Override
		public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
			if (event instanceof SslHandshakeCompletionEvent handshake) {
				if (handshake.isSuccess()) {
					String protocol = ctx.pipeline().get(SslHandler.class).applicationProtocol();
					Http2Peer.this.protocols.put(this.number, (protocol != null) ? protocol : "none");
					record(this.number, "TLS handshake done, ALPN: " + ((protocol != null) ? protocol : "none"));
				}
				else {
					record(this.number, "TLS handshake failed: " + handshake.cause());
				}
			}
			super.userEventTriggered(ctx, event);
			if (event instanceof ChannelInputShutdownEvent) {
				closedByClient("closed by the client (FIN)");
			}
		}

		@Override
		protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Http2Exception {
			if (!this.prefaceRead) {
				int length = Math.min(in.readableBytes(), PREFACE.length);
				for (int i = 0; i < length; i++) {
					if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
						notHttp2(in);
						return;
					}
				}
				if (length < PREFACE.length) {
					return;
				}
				in.skipBytes(PREFACE.length);
				this.prefaceRead = true;
				Http2Settings settings = new Http2Settings()
					.maxConcurrentStreams(Http2Peer.this.config.maxConcurrentStreams);
				this.writer.writeSettings(ctx, settings, ctx.newPromise());
				ctx.flush();
				record(this.number, "preface read, SETTINGS sent");
				armIdleTimer();
			}
			this.reader.readFrame(ctx, in, this.frames);
			ctx.flush();
		}

		private void notHttp2(ByteBuf in) {
			String head = in.toString(in.readerIndex(), Math.min(in.readableBytes(), 40), StandardCharsets.ISO_8859_1);
			record(this.number, "not HTTP/2 (" + head.split("\r\n")[0] + "), answered 505 and closed");
			in.skipBytes(in.readableBytes());
			String body = "This peer speaks HTTP/2 only";
			this.ctx.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Length: "
					+ body.length() + "\r\nConnection: close\r\n\r\n" + body, StandardCharsets.ISO_8859_1));
			closeByPeer("after the 505");
		}

		private final Http2FrameAdapter frames = new Http2FrameAdapter() {

			@Override
			public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
					short weight, boolean exclusive, int padding, boolean endOfStream) {
				headersRead(streamId, headers, endOfStream);
			}

			@Override
			public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
					boolean endOfStream) {
				headersRead(streamId, headers, endOfStream);
			}

			@Override
			public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
					boolean endOfStream) {
				int length = data.readableBytes() + padding;
				Stream stream = Connection.this.active.get(streamId);
				if (length > 0 && !Connection.this.silent) {
					// No flow control to speak of: give back at once what was read.
					Connection.this.writer.writeWindowUpdate(ctx, 0, length, ctx.newPromise());
					if (stream != null && !endOfStream) {
						Connection.this.writer.writeWindowUpdate(ctx, streamId, length, ctx.newPromise());
					}
				}
				if (stream != null && endOfStream) {
					requestRead(stream);
				}
				return length;
			}

			@Override
			public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
				record(Connection.this.number, "stream " + streamId + " reset by the client, " + errorName(errorCode));
				if (Connection.this.active.remove(streamId) != null) {
					armIdleTimer();
				}
			}

			@Override
			public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) throws Http2Exception {
				if (settings.headerTableSize() != null) {
					Connection.this.writer.headersConfiguration().maxHeaderTableSize(settings.headerTableSize());
				}
				if (settings.maxFrameSize() != null) {
					Connection.this.writer.maxFrameSize(settings.maxFrameSize());
				}
				if (!Connection.this.silent) {
					Connection.this.writer.writeSettingsAck(ctx, ctx.newPromise());
				}
			}

			@Override
			public void onPingRead(ChannelHandlerContext ctx, long data) {
				Http2Peer.this.pingsReceived.incrementAndGet();
				if (Connection.this.silent) {
					record(Connection.this.number, "PING not acked (silent)");
					return;
				}
				Connection.this.writer.writePing(ctx, true, data, ctx.newPromise());
				Http2Peer.this.pingsAcked.incrementAndGet();
				record(Connection.this.number, "PING acked");
			}

			@Override
			public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
				record(Connection.this.number, "GOAWAY from the client, last-stream-id " + lastStreamId + ", "
						+ errorName(errorCode));
			}

		};

		private void headersRead(int streamId, Http2Headers headers, boolean endOfStream) {
			if (streamId <= this.lastStreamId) {
				// Trailers of a stream already open, or a frame for a stream the peer is done with.
				Stream stream = this.active.get(streamId);
				if (stream != null && endOfStream) {
					requestRead(stream);
				}
				return;
			}
			int previous = this.lastStreamId;
			this.lastStreamId = streamId;
			this.index++;
			cancelIdleTimer();
			Http2Peer.this.streams.computeIfAbsent(this.number, (key) -> new AtomicInteger()).incrementAndGet();
			String path = String.valueOf(headers.path());
			Request request = new Request(this.number, streamId, this.index, String.valueOf(headers.method()), path,
					requestId(headers, path));
			String what = "stream " + streamId + " (#" + this.index + ") " + request.method() + " " + path
					+ ((request.id() != null) ? " id=" + request.id() : "");
			if (this.goAwayLastStreamId >= 0 && streamId > this.goAwayLastStreamId) {
				if (Http2Peer.this.config.refuseAfterGoAway && !this.closing && !this.silent) {
					record(this.number, what + ": refused, above the GOAWAY's last-stream-id " + this.goAwayLastStreamId);
					reset(streamId, Http2Error.REFUSED_STREAM);
				}
				else {
					Http2Peer.this.ignored.incrementAndGet();
					record(this.number, what + ": ignored, above the GOAWAY's last-stream-id " + this.goAwayLastStreamId);
				}
				return;
			}
			if (this.closing) {
				Http2Peer.this.ignored.incrementAndGet();
				record(this.number, what + ": ignored, the peer has closed the connection");
				return;
			}
			if (this.silent) {
				record(this.number, what + ": ignored (silent)");
				return;
			}
			Action action = (Http2Peer.this.refuseNext.getAndUpdate((n) -> Math.max(0, n - 1)) > 0) ? Action.REFUSE
					: Http2Peer.this.config.script.on(request);
			switch (action) {
				case REFUSE -> {
					record(this.number, what + ": refused");
					reset(streamId, Http2Error.REFUSED_STREAM);
					armIdleTimer();
				}
				case GOAWAY -> {
					record(this.number, what + ": not processed, GOAWAY below it");
					goAway(previous);
				}
				case SILENT -> {
					record(this.number, what + ": silent from now on");
					this.silent = true;
					cancelIdleTimer();
				}
				default -> {
					record(this.number, what + ((action == Action.OK) ? "" : ": to " + action));
					Stream stream = new Stream(request, action);
					this.active.put(streamId, stream);
					if (endOfStream) {
						requestRead(stream);
					}
				}
			}
		}

		/** The request was read in full: what its script said now happens. */
		private void requestRead(Stream stream) {
			Request request = stream.request;
			switch (stream.action) {
				case CLOSE -> {
					this.active.remove(request.streamId());
					closeByPeer("on stream " + request.streamId() + ", not processed");
				}
				case PROCESS_THEN_CLOSE -> {
					this.active.remove(request.streamId());
					processed(request);
					closeByPeer("on stream " + request.streamId() + ", processed, no answer");
				}
				default -> {
					processed(request);
					long delay = Http2Peer.this.config.responseDelay.toNanos();
					if (delay > 0) {
						this.ctx.executor().schedule(() -> answer(stream), delay, TimeUnit.NANOSECONDS);
					}
					else {
						answer(stream);
					}
				}
			}
		}

		private void processed(Request request) {
			Http2Peer.this.processed
				.computeIfAbsent(String.valueOf(request.id()), (key) -> new AtomicInteger())
				.incrementAndGet();
			this.lastProcessed = Math.max(this.lastProcessed, request.streamId());
			record(this.number, "stream " + request.streamId() + " processed");
		}

		private void answer(Stream stream) {
			int streamId = stream.request.streamId();
			if (this.active.remove(streamId) == null || !this.ctx.channel().isActive()) {
				return; // Reset by the client, or the connection is gone.
			}
			if (this.silent) {
				record(this.number, "stream " + streamId + " not answered (silent)");
				return;
			}
			Http2Headers headers = new DefaultHttp2Headers().status("200")
				.set("content-type", "text/plain")
				.set("content-length", "2")
				.set("x-peer-connection", String.valueOf(this.number))
				.set("x-peer-stream", String.valueOf(streamId));
			this.writer.writeHeaders(this.ctx, streamId, headers, 0, false, this.ctx.newPromise());
			this.writer.writeData(this.ctx, streamId, Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII), 0, true,
					this.ctx.newPromise());
			this.ctx.flush();
			record(this.number, "stream " + streamId + " answered 200");
			armIdleTimer();
		}

		private void reset(int streamId, Http2Error error) {
			// Recorded before it is written: a client that sees it may ask at once.
			Http2Peer.this.resets.add(new Reset(this.number, streamId, error.code()));
			this.writer.writeRstStream(this.ctx, streamId, error.code(), this.ctx.newPromise());
			this.ctx.flush();
		}

		/** Send GOAWAY(NO_ERROR, lastStreamId); close the connection after the grace. */
		private void goAway(int lastStreamId) {
			if (this.goAwayLastStreamId >= 0) {
				return;
			}
			this.goAwayLastStreamId = lastStreamId;
			cancelIdleTimer();
			Http2Peer.this.goAways.add(new GoAway(this.number, lastStreamId, Http2Error.NO_ERROR.code()));
			this.writer.writeGoAway(this.ctx, lastStreamId, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
					this.ctx.newPromise());
			this.ctx.flush();
			record(this.number, "GOAWAY sent, NO_ERROR, last-stream-id " + lastStreamId);
			this.ctx.executor().schedule(() -> {
				if (!this.silent) {
					closeByPeer("after the GOAWAY's grace");
				}
			}, Http2Peer.this.config.goAwayGrace.toNanos(), TimeUnit.NANOSECONDS);
		}

		private void closeByPeer(String why) {
			if (this.closing || !this.ctx.channel().isActive()) {
				return;
			}
			this.closing = true;
			cancelIdleTimer();
			Http2Peer.this.closedByPeer.incrementAndGet();
			record(this.number, "closed by the peer " + why);
			this.ctx.close();
		}

		private void armIdleTimer() {
			long timeout = Http2Peer.this.config.idleTimeout.toNanos();
			if (timeout == 0 || !this.active.isEmpty() || this.silent || this.closing || this.goAwayLastStreamId >= 0) {
				return;
			}
			cancelIdleTimer();
			this.idleTimer = this.ctx.executor().schedule(this::idle, timeout, TimeUnit.NANOSECONDS);
		}

		private void cancelIdleTimer() {
			if (this.idleTimer != null) {
				this.idleTimer.cancel(false);
				this.idleTimer = null;
			}
		}

		private void idle() {
			this.idleTimer = null;
			if (!this.active.isEmpty() || this.silent) {
				return;
			}
			record(this.number, "idle for " + Http2Peer.this.config.idleTimeout.toMillis() + " ms");
			if (Http2Peer.this.config.idle == Idle.GOAWAY) {
				goAway(this.lastProcessed);
			}
			else {
				closeByPeer("at its idle timeout, no GOAWAY");
			}
		}

		private void closedByClient(String what) {
			if (this.closing) {
				return;
			}
			this.closing = true;
			cancelIdleTimer();
			Http2Peer.this.closedByClient.incrementAndGet();
			record(this.number, what);
			this.ctx.close();
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) throws Exception {
			cancelIdleTimer();
			super.channelInactive(ctx);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			if (cause instanceof IOException) {
				closedByClient("reset by the client (" + cause.getMessage() + ")");
			}
			else {
				record(this.number, "error: " + cause);
				closeByPeer("after an error");
			}
		}

	}

	private static String errorName(long code) {
		Http2Error error = Http2Error.valueOf(code);
		return (error != null) ? error.name() : "error " + code;
	}

	/**
	 * A network delay on the peer's side of the socket: every read (and the client's FIN, an input-shutdown
	 * event with half-closure on) reaches the peer, and every write (and the peer's close) leaves it, this much
	 * later, in order.
	 */
	private static final class Delay extends ChannelDuplexHandler {

		private final long nanos;

		Delay(long nanos) {
			this.nanos = nanos;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			later(ctx, msg, () -> {
				ctx.fireChannelRead(msg);
				ctx.fireChannelReadComplete();
			});
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext ctx) {
			// Fired with each delayed read.
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			later(ctx, null, ctx::fireChannelInactive);
		}

		@Override
		public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
			later(ctx, event, () -> ctx.fireUserEventTriggered(event)); // the client's FIN, with half-closure
		}

		@Override
		public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
			later(ctx, msg, () -> ctx.writeAndFlush(msg, promise));
		}

		@Override
		public void flush(ChannelHandlerContext ctx) {
			// Each delayed write flushes itself.
		}

		@Override
		public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
			later(ctx, null, () -> ctx.close(promise));
		}

		private void later(ChannelHandlerContext ctx, Object msg, Runnable task) {
			ctx.executor().schedule(() -> {
				if (ctx.isRemoved()) {
					ReferenceCountUtil.release(msg);
					return;
				}
				task.run();
			}, this.nanos, TimeUnit.NANOSECONDS);
		}

	}

	/** Configures a peer. */
	public static final class Builder {

		private final boolean tls;

		private Duration idleTimeout = Duration.ZERO;

		private Idle idle = Idle.GOAWAY;

		private Duration goAwayGrace = Duration.ofMillis(100);

		private Script script = Script.ok();

		private Duration oneWayDelay = Duration.ZERO;

		private Duration responseDelay = Duration.ZERO;

		private long maxConcurrentStreams = 100;

		private boolean refuseAfterGoAway;

		private Builder(boolean tls) {
			this.tls = tls;
		}

		/** At {@code timeout} without an active stream, end the connection as {@code idle} says. */
		public Builder idleTimeout(Duration timeout, Idle idle) {
			this.idleTimeout = timeout;
			this.idle = idle;
			return this;
		}

		/** How long after a GOAWAY the peer closes the connection (default 100 ms). */
		public Builder goAwayGrace(Duration grace) {
			this.goAwayGrace = grace;
			return this;
		}

		public Builder script(Script script) {
			this.script = script;
			return this;
		}

		/** Delay everything the peer reads and writes by this long, as a network would each way. */
		public Builder oneWayDelay(Duration delay) {
			this.oneWayDelay = delay;
			return this;
		}

		/** Answer each processed request this long after it was read, so that streams overlap. */
		public Builder responseDelay(Duration delay) {
			this.responseDelay = delay;
			return this;
		}

		/**
		 * Answer a stream above a GOAWAY's last-stream-id with RST_STREAM(REFUSED_STREAM) instead of ignoring it,
		 * as a server on Netty's HTTP/2 codec does (its {@code DefaultHttp2Connection} refuses to create such a
		 * stream); nghttp2 (Node) and Go ignore it, the default here.
		 */
		public Builder refuseAfterGoAway() {
			this.refuseAfterGoAway = true;
			return this;
		}

		/** SETTINGS_MAX_CONCURRENT_STREAMS advertised (default 100). */
		public Builder maxConcurrentStreams(long max) {
			this.maxConcurrentStreams = max;
			return this;
		}

		public Http2Peer start() {
			try {
				return new Http2Peer(this);
			}
			catch (SSLException ex) {
				throw new IllegalStateException(ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

	}

}
