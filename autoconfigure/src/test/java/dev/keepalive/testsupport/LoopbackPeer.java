package dev.keepalive.testsupport;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLSocket;

/**
 * A raw-socket server on a loopback port of its own: accepts connections, counts them, and serves each on
 * its own daemon thread as the subclass says. Subclasses call {@link #start()} once they are ready.
 */
abstract class LoopbackPeer implements Closeable {

	private final ServerSocket server;

	private final boolean tls;

	/** Under TLS, the TCP socket under each TLS socket: an abort must not send close_notify first. */
	private final Map<Socket, Socket> tcp = new ConcurrentHashMap<>();

	private final ExecutorService executor;

	private final AtomicInteger connections = new AtomicInteger();

	LoopbackPeer(String threadName) throws IOException {
		this(threadName, false);
	}

	/** A peer that serves TLS with {@link TestTls}'s certificate when {@code tls}. */
	LoopbackPeer(String threadName, boolean tls) throws IOException {
		this.tls = tls;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.executor = Executors.newCachedThreadPool((runnable) -> {
			Thread thread = new Thread(runnable, threadName);
			thread.setDaemon(true);
			return thread;
		});
	}

	/** Start accepting connections. */
	final void start() {
		this.executor.execute(this::acceptLoop);
	}

	/**
	 * A connection was accepted; called on the accepting thread.
	 * @return what serves it, on a thread of its own
	 */
	abstract Runnable accepted(Socket socket, int number);

	public String url(String path) {
		return (this.tls ? "https" : "http") + "://127.0.0.1:" + port() + path;
	}

	public int port() {
		return this.server.getLocalPort();
	}

	/** Connections accepted so far. */
	public int connections() {
		return this.connections.get();
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		this.executor.shutdownNow();
		try {
			this.executor.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * End a connection abortively, as a server whose socket is gone: an RST, and under TLS no close_notify
	 * before it.
	 */
	void resetConnection(Socket socket) throws IOException {
		Socket tcp = this.tcp.remove(socket);
		Socket target = (tcp != null) ? tcp : socket;
		target.setSoLinger(true, 0);
		target.close();
	}

	private void acceptLoop() {
		while (!this.server.isClosed()) {
			try {
				Socket socket = this.server.accept();
				if (this.tls) {
					SSLSocket secure = (SSLSocket) TestTls.get().serverContext().getSocketFactory()
						.createSocket(socket, null, socket.getPort(), true);
					secure.setUseClientMode(false);
					this.tcp.put(secure, socket);
					socket = secure;
				}
				this.executor.execute(accepted(socket, this.connections.incrementAndGet()));
			}
			catch (IOException ex) {
				return;
			}
		}
	}

}
