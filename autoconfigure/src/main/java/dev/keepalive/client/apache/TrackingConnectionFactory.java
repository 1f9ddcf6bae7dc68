package dev.keepalive.client.apache;

import java.io.IOException;
import java.net.Socket;

import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import org.apache.hc.core5.http.io.HttpConnectionFactory;

/**
 * Creates HttpClient's connections as usual and wraps each in a {@link TrackedConnection}.
 */
final class TrackingConnectionFactory implements HttpConnectionFactory<ManagedHttpClientConnection> {

	private final HttpConnectionFactory<ManagedHttpClientConnection> delegate;

	private final long maxLifeMillis;

	TrackingConnectionFactory(HttpConnectionFactory<ManagedHttpClientConnection> delegate, long maxLifeMillis) {
		this.delegate = delegate;
		this.maxLifeMillis = maxLifeMillis;
	}

	@Override
	public ManagedHttpClientConnection createConnection(Socket socket) throws IOException {
		return new TrackedConnection(this.delegate.createConnection(socket), this.maxLifeMillis);
	}

}
