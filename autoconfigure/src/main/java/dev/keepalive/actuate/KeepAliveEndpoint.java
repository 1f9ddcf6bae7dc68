package dev.keepalive.actuate;

import java.util.List;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/keepalive}: per origin, the advertised timeout, the idle cutoff in force and where it comes
 * from, the pool's connections, discards by reason, resets, resends and the last reset; and what the server
 * advertises. Read-only; exposed like any other endpoint ({@code management.endpoints.web.exposure.include}).
 */
@Endpoint(id = "keepalive")
public class KeepAliveEndpoint {

	private final KeepAliveReport report;

	/**
	 * Create the endpoint.
	 * @param report where the numbers come from
	 */
	public KeepAliveEndpoint(KeepAliveReport report) {
		this.report = report;
	}

	/**
	 * Everything the starter knows.
	 * @return the descriptor
	 */
	@ReadOperation
	public KeepAliveDescriptor keepalive() {
		return new KeepAliveDescriptor(this.report.client(System.currentTimeMillis()), this.report.origins(),
				this.report.server());
	}

	/**
	 * The endpoint's answer.
	 *
	 * @param client the client side in a few numbers, or {@code null}
	 * @param origins every origin the client knows
	 * @param server the server side, or {@code null}
	 */
	public record KeepAliveDescriptor(KeepAliveReport.ClientSummary client,
			List<KeepAliveReport.OriginDescriptor> origins, KeepAliveReport.ServerDescriptor server)
			implements OperationResponseBody {
	}

}
