package dev.keepalive.client;

/**
 * Told what the pool does and learns, for metrics. Called on event-loop and pool threads: implementations
 * must be quick and must not block. Declare beans of this type; all are called.
 */
public interface KeepAliveClientEvents {

	/** No-op events. */
	KeepAliveClientEvents NONE = new KeepAliveClientEvents() {
	};

	/**
	 * The pool closed a connection instead of handing it out again.
	 * @param origin the connection's origin
	 * @param reason why
	 */
	default void connectionDiscarded(Origin origin, DiscardReason reason) {
	}

	/**
	 * A connection learnt the idle timeout its server advertises.
	 * @param origin the connection's origin
	 * @param timeoutSeconds the advertised {@code timeout}
	 */
	default void timeoutAdvertised(Origin origin, long timeoutSeconds) {
	}

	/**
	 * An origin's learnt idle cutoff changed.
	 * @param origin the origin
	 * @param cutoffMillis the new cutoff, ms, or {@link Long#MAX_VALUE} when it was lifted
	 * @param lowered {@code true} when a failure lowered it, {@code false} when probes lifted it
	 */
	default void idleCutoffChanged(Origin origin, long cutoffMillis, boolean lowered) {
	}

	/**
	 * An origin's safety margin is measured for the first time, or widened after a failure: read it from
	 * {@link Origin#safetyMarginMillis()}, which follows the path from then on.
	 * @param origin the origin
	 */
	default void safetyMarginChanged(Origin origin) {
	}

	/**
	 * An HTTP/2 connection received GOAWAY.
	 * @param origin the connection's origin
	 * @param errorCode the frame's error code (RFC 9113 section 7)
	 */
	default void goAwayReceived(Origin origin, long errorCode) {
	}

	/**
	 * An HTTP/2 stream was reset with REFUSED_STREAM: the server did not process it.
	 * @param origin the connection's origin
	 */
	default void streamRefused(Origin origin) {
	}

	/**
	 * An HTTP/2 PING went unanswered within its ack timeout, and the connection was closed.
	 * @param origin the connection's origin
	 */
	default void pingFailed(Origin origin) {
	}

	/**
	 * Combine several.
	 * @param events the events to call, in order
	 * @return one that calls them all
	 */
	static KeepAliveClientEvents of(java.util.List<KeepAliveClientEvents> events) {
		if (events.isEmpty()) {
			return NONE;
		}
		if (events.size() == 1) {
			return events.get(0);
		}
		KeepAliveClientEvents[] all = events.toArray(KeepAliveClientEvents[]::new);
		return new KeepAliveClientEvents() {

			@Override
			public void connectionDiscarded(Origin origin, DiscardReason reason) {
				for (KeepAliveClientEvents each : all) {
					each.connectionDiscarded(origin, reason);
				}
			}

			@Override
			public void timeoutAdvertised(Origin origin, long timeoutSeconds) {
				for (KeepAliveClientEvents each : all) {
					each.timeoutAdvertised(origin, timeoutSeconds);
				}
			}

			@Override
			public void idleCutoffChanged(Origin origin, long cutoffMillis, boolean lowered) {
				for (KeepAliveClientEvents each : all) {
					each.idleCutoffChanged(origin, cutoffMillis, lowered);
				}
			}

			@Override
			public void safetyMarginChanged(Origin origin) {
				for (KeepAliveClientEvents each : all) {
					each.safetyMarginChanged(origin);
				}
			}

			@Override
			public void goAwayReceived(Origin origin, long errorCode) {
				for (KeepAliveClientEvents each : all) {
					each.goAwayReceived(origin, errorCode);
				}
			}

			@Override
			public void streamRefused(Origin origin) {
				for (KeepAliveClientEvents each : all) {
					each.streamRefused(origin);
				}
			}

			@Override
			public void pingFailed(Origin origin) {
				for (KeepAliveClientEvents each : all) {
					each.pingFailed(origin);
				}
			}

		};
	}

}
