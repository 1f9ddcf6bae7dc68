package dev.keepalive.client.apache;

import org.apache.hc.client5.http.ConnectionKeepAliveStrategy;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;

import dev.keepalive.client.ConnectionReuseState;
import dev.keepalive.client.KeepAlivePolicy;

/**
 * How long HttpClient keeps a released connection: its idle cutoff (the advertised timeout less the safety
 * margin, the default, a host override, or what failures taught; while probing, what its source allows), where
 * HttpClient's own strategy would trust the advertised timeout to the millisecond. The pool then neither hands
 * the connection out nor keeps it past that.
 */
final class IdleCutoffKeepAliveStrategy implements ConnectionKeepAliveStrategy {

	private final TimeValue unknownConnection;

	IdleCutoffKeepAliveStrategy(KeepAlivePolicy policy) {
		this.unknownConnection = TimeValue.ofMilliseconds(policy.defaultLimits().idleTimeoutMillis());
	}

	@Override
	public TimeValue getKeepAliveDuration(HttpResponse response, HttpContext context) {
		ConnectionReuseState state = KeepAliveRequestExecutor.stateOf(context);
		if (state == null) {
			return this.unknownConnection; // Not one of our connections: someone replaced the factory.
		}
		// HttpClient reads 0 or less as "forever": a connection that may not idle at all gets 1 ms.
		return TimeValue.ofMilliseconds(Math.max(1, state.remainingIdleMillis(System.nanoTime())));
	}

}
