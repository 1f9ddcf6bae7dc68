package dev.keepalive.client.apache;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hc.client5.http.RouteInfo;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.impl.io.HttpRequestExecutor;
import org.apache.hc.core5.http.io.HttpClientConnection;
import org.apache.hc.core5.http.io.HttpResponseInformationCallback;
import org.apache.hc.core5.http.protocol.HttpContext;

import dev.keepalive.client.ClientEngine;
import dev.keepalive.client.ConnectionReuseState;
import dev.keepalive.client.ExchangeFacts;
import dev.keepalive.client.KeepAliveHeader;
import dev.keepalive.client.Origin;
import dev.keepalive.client.Origins;

/**
 * HttpClient's request executor, which runs each exchange on its connection, taught to keep the connection's
 * {@link ConnectionReuseState}: how many requests it carried, what its {@code Keep-Alive} headers said, and,
 * for the resend rule, whether this exchange reused it and whether response headers arrived
 * ({@link ExchangeFacts} bound to the calling thread).
 */
final class KeepAliveRequestExecutor extends HttpRequestExecutor {

	/** The context attribute under which the exchange's connection state reaches the reuse strategies. */
	private static final String STATE_ATTRIBUTE = ConnectionReuseState.class.getName();

	private final Origins origins;

	KeepAliveRequestExecutor(Origins origins) {
		this.origins = origins;
	}

	@Override
	public ClassicHttpResponse execute(ClassicHttpRequest request, HttpClientConnection connection,
			HttpResponseInformationCallback informationCallback, HttpContext context) throws IOException, HttpException {
		if (!(connection instanceof TrackedConnection tracked)) {
			return super.execute(request, connection, informationCallback, context);
		}
		ConnectionReuseState state = tracked.state();
		if (state == null) {
			state = new ConnectionReuseState(origin(context));
			tracked.state(state);
		}
		context.setAttribute(STATE_ATTRIBUTE, state);
		ExchangeFacts facts = ExchangeFacts.bound();
		if (!state.requestStarted(facts, System.nanoTime())) {
			// Nothing of the request is written yet; HttpClient discards the connection on this failure.
			throw state.unsent(facts);
		}
		ClassicHttpResponse response = super.execute(request, connection, informationCallback, context);
		state.responseStarted();
		// Most responses carry no header or repeat the last one: no array, no list.
		int advertised = response.countHeaders(KeepAliveHeader.NAME);
		if (advertised == 1) {
			state.advertised(response.getFirstHeader(KeepAliveHeader.NAME).getValue());
		}
		else if (advertised > 1) {
			List<String> values = new ArrayList<>(advertised);
			for (Header header : response.getHeaders(KeepAliveHeader.NAME)) {
				values.add(header.getValue());
			}
			state.advertised(values);
		}
		return response;
	}

	private Origin origin(HttpContext context) {
		RouteInfo route = HttpClientContext.castOrCreate(context).getHttpRoute();
		HttpHost target = (route != null) ? route.getTargetHost() : null;
		if (target == null) {
			return this.origins.forAddress(ClientEngine.HTTP_COMPONENTS, null, "unknown", 0);
		}
		return this.origins.forAddress(ClientEngine.HTTP_COMPONENTS, target.getSchemeName(), target.getHostName(),
				target.getPort());
	}

	/**
	 * The state of the connection the exchange in this context ran on, for the strategies HttpClient asks
	 * after the response.
	 * @return the state, or {@code null} if the connection is not one of ours
	 */
	static ConnectionReuseState stateOf(HttpContext context) {
		return (ConnectionReuseState) context.getAttribute(STATE_ATTRIBUTE);
	}

}
