package dev.keepalive.client.apache;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Identifiable;
import org.apache.hc.core5.util.Timeout;

import dev.keepalive.client.ConnectionReuseState;
import dev.keepalive.client.DiscardReason;

/**
 * An Apache HttpClient connection that carries its {@link ConnectionReuseState}, so that the pool's lease-time
 * check ({@link #isStale()}) applies the keep-alive rules with the connection's own history, and a connection
 * the pool closes as expired is counted with its reason. Everything else is delegated.
 */
final class TrackedConnection implements ManagedHttpClientConnection, Identifiable {

	/**
	 * HttpClient's own default {@code validateAfterInactivity}: past it, an idle connection is also probed for a
	 * close the server already sent (a 1 ms read), as HttpClient does by default.
	 */
	static final long PROBE_AFTER_IDLE_MILLIS = 2000;

	private final ManagedHttpClientConnection delegate;

	private final long maxLifeMillis;

	private final long createdAtMillis = System.currentTimeMillis();

	/** Set by the first exchange, which knows the route. */
	private volatile ConnectionReuseState state;

	/** When the connection went back to the pool; 0 while leased. */
	private volatile long releasedAtMillis;

	TrackedConnection(ManagedHttpClientConnection delegate, long maxLifeMillis) {
		this.delegate = delegate;
		this.maxLifeMillis = maxLifeMillis;
	}

	ConnectionReuseState state() {
		return this.state;
	}

	void state(ConnectionReuseState state) {
		this.state = state;
	}

	/** Asked by the pool before it hands the connection out again (validate-after-inactivity 0). */
	@Override
	public boolean isStale() throws IOException {
		if (discardIfPastLimits()) {
			return true;
		}
		long releasedAt = this.releasedAtMillis;
		return (releasedAt <= 0 || System.currentTimeMillis() - releasedAt >= PROBE_AFTER_IDLE_MILLIS)
				&& this.delegate.isStale();
	}

	/**
	 * Whether this idle connection is past its limits; if so, it is counted (once) against its origin with the
	 * reason.
	 */
	private boolean discardIfPastLimits() {
		ConnectionReuseState state = this.state;
		long releasedAt = this.releasedAtMillis;
		if (state == null || releasedAt <= 0) {
			return false;
		}
		long now = System.currentTimeMillis();
		DiscardReason reason = state.discardReason(state.idleMillis(System.nanoTime()), state.requests(),
				now - this.createdAtMillis, this.maxLifeMillis, releasedAt);
		if (reason != null) {
			state.discarded(reason);
		}
		return reason != null;
	}

	@Override
	public void passivate() {
		this.releasedAtMillis = System.currentTimeMillis();
		this.delegate.passivate();
	}

	@Override
	public void activate() {
		this.releasedAtMillis = 0;
		this.delegate.activate();
	}

	@Override
	public void close(CloseMode closeMode) {
		// The pool closing an idle connection past its limits (on lease or in the background sweep).
		discardIfPastLimits();
		this.delegate.close(closeMode);
	}

	@Override
	public void close() throws IOException {
		discardIfPastLimits();
		this.delegate.close();
	}

	@Override
	public String getId() {
		return (this.delegate instanceof Identifiable identifiable) ? identifiable.getId() : toString();
	}

	@Override
	public void bind(Socket socket) throws IOException {
		this.delegate.bind(socket);
	}

	@Override
	public void bind(SSLSocket sslSocket, Socket socket) throws IOException {
		this.delegate.bind(sslSocket, socket);
	}

	@Override
	public Socket getSocket() {
		return this.delegate.getSocket();
	}

	@Override
	public SSLSession getSSLSession() {
		return this.delegate.getSSLSession();
	}

	@Override
	public boolean isConsistent() {
		return this.delegate.isConsistent();
	}

	@Override
	public void sendRequestHeader(ClassicHttpRequest request) throws HttpException, IOException {
		this.delegate.sendRequestHeader(request);
	}

	@Override
	public void terminateRequest(ClassicHttpRequest request) throws HttpException, IOException {
		this.delegate.terminateRequest(request);
	}

	@Override
	public void sendRequestEntity(ClassicHttpRequest request) throws HttpException, IOException {
		this.delegate.sendRequestEntity(request);
	}

	@Override
	public ClassicHttpResponse receiveResponseHeader() throws HttpException, IOException {
		return this.delegate.receiveResponseHeader();
	}

	@Override
	public void receiveResponseEntity(ClassicHttpResponse response) throws HttpException, IOException {
		this.delegate.receiveResponseEntity(response);
	}

	@Override
	public boolean isDataAvailable(Timeout timeout) throws IOException {
		return this.delegate.isDataAvailable(timeout);
	}

	@Override
	public void flush() throws IOException {
		this.delegate.flush();
	}

	@Override
	public EndpointDetails getEndpointDetails() {
		return this.delegate.getEndpointDetails();
	}

	@Override
	public SocketAddress getLocalAddress() {
		return this.delegate.getLocalAddress();
	}

	@Override
	public SocketAddress getRemoteAddress() {
		return this.delegate.getRemoteAddress();
	}

	@Override
	public ProtocolVersion getProtocolVersion() {
		return this.delegate.getProtocolVersion();
	}

	@Override
	public boolean isOpen() {
		return this.delegate.isOpen();
	}

	@Override
	public Timeout getSocketTimeout() {
		return this.delegate.getSocketTimeout();
	}

	@Override
	public void setSocketTimeout(Timeout timeout) {
		this.delegate.setSocketTimeout(timeout);
	}

	@Override
	public String toString() {
		return this.delegate.toString();
	}

}
