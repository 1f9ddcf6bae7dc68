package dev.keepalive.interop;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.handler.timeout.ReadTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.Exchanger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pooled connection whose flow a middlebox drops silently (a NAT or load balancer that forgot it: no FIN,
 * no RST) is found by TCP keepalive and closed before it is reused. nginx runs in a {@link NetworkNamespace}
 * behind a veth pair; each client kind, with the starter, makes a connection to it and lets it go idle in the
 * pool; then a firewall rule in the namespace drops every packet of that flow, both ways, for the rest of the
 * test (new flows pass). 4.5 s later the next request, a GET in one round and a POST without a key in the
 * next, each after its own dead connection:
 * <ul>
 * <li>with {@code tcp-keep-alive} at idle 1 s, interval 1 s, count 2 (and a pool that would keep the
 * connection 30 s), the kernel has given up on the flow after 1 + 2 x 1 s of silence, the pool has let the
 * connection go, and the request goes out at once on a new connection: answered, executed once;</li>
 * <li>the control, {@code tcp-keep-alive.enabled=false}: the flow is still ESTABLISHED for the kernel, the
 * request is written into it and hangs until the read timeout (2 s); nginx never saw it, a POST included.</li>
 * </ul>
 * The kernel's own view ({@code ss}) is read at each step: the keepalive timer on the socket before the drop
 * (the options reached the socket), the flow's state just before the request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.CONCURRENT)
class SilentlyDroppedFlowInteropTests {

	private static final int IDLE_SECONDS = 1;

	private static final int INTERVAL_SECONDS = 1;

	private static final int COUNT = 2;

	private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

	/** The kernel gives up after idle + count x interval = 3 s of silence; 1.5 s more for a loaded machine. */
	private static final long WAIT_AFTER_DROP_MILLIS = 4500;

	/** A request on a live connection to a server one veth away takes a few ms; a loaded machine, more. */
	private static final long PROMPT_MILLIS = 1000;

	/** ss prints a timer as {@code 1min}, {@code 36sec}, {@code 6.628ms} (6 s 628 ms) or {@code 250ms}. */
	private static final Pattern KEEPALIVE_TIMER = Pattern
		.compile("timer:\\(keepalive,(?:(\\d+)min)?(?:(\\d+)(?:sec|\\.))?(?:(\\d+)ms)?,");

	/** Two tests per client kind, each on its own port. */
	private static final int[] PORTS = { 8001, 8002, 8003, 8004, 8005, 8006, 8007, 8008, 8009, 8010 };

	private final AtomicInteger nextPort = new AtomicInteger();

	private final List<String> rows = new CopyOnWriteArrayList<>();

	private NetworkNamespace namespace;

	private NginxInNamespace nginx;

	@BeforeAll
	void start() {
		this.namespace = NetworkNamespace.create();
		this.nginx = NginxInNamespace.start(this.namespace, PORTS);
	}

	@AfterAll
	void stop() {
		if (!this.rows.isEmpty()) {
			StringBuilder table = new StringBuilder("\n" + ((this.nginx != null) ? this.nginx.description() : "nginx")
					+ ", each flow dropped after its warm-up, the request 4.5 s later\n\n| client | tcp-keep-alive "
					+ "| keepalive timer before the drop | request | flow before it | took | executed |\n"
					+ "|---|---|---|---|---|---|---|\n");
			this.rows.stream().sorted().forEach((row) -> table.append(row).append('\n'));
			Results.append(table.toString());
		}
		if (this.nginx != null) {
			this.nginx.close();
		}
		if (this.namespace != null) {
			this.namespace.close();
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void withTcpKeepAliveTheDeadConnectionIsClosedBeforeReuse(ClientKind kind) {
		List<Round> rounds = rounds(kind, "on", "keepalive.client.tcp-keep-alive.idle=" + IDLE_SECONDS + "s",
				"keepalive.client.tcp-keep-alive.interval=" + INTERVAL_SECONDS + "s",
				"keepalive.client.tcp-keep-alive.count=" + COUNT);
		for (Round round : rounds) {
			assertThat(round.keepAliveTimerMillis()).as("the keepalive timer on the socket, before the drop: %s", round)
				.isBetween(0L, IDLE_SECONDS * 1000L);
			assertThat(round.flowBeforeRequest()).as("the dead flow, closed by the kernel before the request: %s", round)
				.isNull();
			assertThat(round.failure()).as("%s", round).isNull();
			assertThat(round.millis()).as("no wait for a dead connection: %s", round).isLessThan(PROMPT_MILLIS);
			assertThat(round.executed()).as("executed once: %s", round).hasSize(1);
			assertThat(round.executed().get(0).connection()).as("on a new connection: %s", round)
				.isNotEqualTo(round.warmUp().connection());
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void withoutItTheRequestHangsOnTheDeadConnectionUntilTheReadTimeout(ClientKind kind) {
		List<Round> rounds = rounds(kind, "off", "keepalive.client.tcp-keep-alive.enabled=false");
		for (Round round : rounds) {
			assertThat(round.flowBeforeRequest()).as("the dead flow, still open for the kernel: %s", round)
				.isNotNull()
				.extracting(Flow::state)
				.isEqualTo("ESTAB");
			assertThat(round.failure()).as("%s", round).isNotNull();
			assertThat(timedOut(round.failure())).as("a read timeout: %s", round).isTrue();
			assertThat(round.millis()).as("held until the read timeout: %s", round)
				.isGreaterThanOrEqualTo(READ_TIMEOUT.toMillis() - 100);
			assertThat(round.executed()).as("nginx never saw it: %s", round).isEmpty();
		}
	}

	/**
	 * One client of this kind, with the starter: for each method a warm-up GET (its connection goes back to
	 * the pool), the flow dropped, the wait, the request.
	 */
	private List<Round> rounds(ClientKind kind, String tcpKeepAlive, String... properties) {
		int port = this.nginx.port(this.nextPort.getAndIncrement());
		String prefix = "netns-" + kind.name().toLowerCase().replace('_', '-') + "-" + tcpKeepAlive + "-"
				+ UUID.randomUUID().toString().substring(0, 8);
		String url = "http://" + this.namespace.address().getHostAddress() + ":" + port + "/ok?id=" + prefix + "-";
		ApplicationContextRunner runner = kind.on(ClientContext.runner())
			.withPropertyValues("keepalive.client.default-idle-timeout=30s",
					"spring.http.clients.read-timeout=" + READ_TIMEOUT.toMillis() + "ms")
			.withPropertyValues(properties);
		List<Round> rounds = new ArrayList<>();
		runner.run((context) -> {
			Exchanger client = kind.exchanger(context);
			for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.POST)) {
				String warmUpId = prefix + "-warm-up-" + method;
				assertThat(client.get(url + "warm-up-" + method, new HttpHeaders())).isEqualTo("ok");
				ClientContext.pause(200); // back in the pool, past the exchange's last ACK
				List<Flow> established = flows(port).stream().filter((flow) -> flow.state().equals("ESTAB")).toList();
				assertThat(established).as("the client's one idle connection to port %d", port).hasSize(1);
				Flow idle = established.get(0);
				this.namespace.dropFlow(idle.localPort(), port);
				ClientContext.pause(WAIT_AFTER_DROP_MILLIS);
				Flow before = flows(port).stream().filter((flow) -> flow.localPort() == idle.localPort()).findFirst().orElse(null);
				String id = prefix + "-" + method;
				long start = System.nanoTime();
				Throwable failure = null;
				try {
					client.exchange(method, url + method, new HttpHeaders(), (method == HttpMethod.GET) ? null : "order");
				}
				catch (RuntimeException ex) {
					failure = ex;
				}
				long millis = (System.nanoTime() - start) / 1_000_000;
				// nginx writes its access log line as it answers; a request it never saw has none to wait for.
				ClientContext.pause((failure != null) ? 500 : 100);
				Executions executions = this.nginx.executions();
				Executions.Execution warmUp = executions.all()
					.stream()
					.filter((execution) -> warmUpId.equals(execution.id()))
					.findFirst()
					.orElseThrow(() -> new IllegalStateException("nginx did not log " + warmUpId + ":" + executions.describe(prefix)));
				List<Executions.Execution> executed = executions.all()
					.stream()
					.filter((execution) -> id.equals(execution.id()))
					.toList();
				Round round = new Round(kind, method, idle, before, failure, millis, warmUp, executed, this.namespace.rules());
				rounds.add(round);
				this.rows.add(round.row(tcpKeepAlive));
			}
		});
		return rounds;
	}

	/** Whether the failure was a read timeout: Reactor Netty's, or the socket's on Apache HttpClient 5. */
	private static boolean timedOut(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() == cause) ? null : cause.getCause()) {
			if (cause instanceof ReadTimeoutException || cause instanceof SocketTimeoutException
					|| cause instanceof TimeoutException) {
				return true;
			}
		}
		return false;
	}

	/** This side's TCP connections to the port on the namespace's address, in any state, as the kernel sees them. */
	private List<Flow> flows(int port) {
		String out = NetworkNamespace.run(List.of(Binary.SS.path().toString(), "-tanoH", "dst",
				this.namespace.address().getHostAddress() + ":" + port), null);
		List<Flow> flows = new ArrayList<>();
		for (String line : out.lines().filter((line) -> !line.isBlank()).toList()) {
			String[] fields = line.trim().split("\\s+");
			String local = fields[3];
			flows.add(new Flow(fields[0], Integer.parseInt(local.substring(local.lastIndexOf(':') + 1)), line.trim()));
		}
		return flows;
	}

	/** A TCP connection as {@code ss} printed it: its state, this side's port, the whole line. */
	record Flow(String state, int localPort, String line) {

		/** The keepalive timer's time left, ms; -1 without one. */
		long keepAliveTimerMillis() {
			Matcher timer = KEEPALIVE_TIMER.matcher(this.line);
			if (!timer.find()) {
				return -1;
			}
			return part(timer, 1) * 60_000 + part(timer, 2) * 1000 + part(timer, 3);
		}

		private static long part(Matcher timer, int group) {
			return (timer.group(group) != null) ? Long.parseLong(timer.group(group)) : 0;
		}

	}

	/**
	 * One dead connection and the request after it.
	 * @param idle the pooled connection, as the kernel saw it before the drop
	 * @param flowBeforeRequest the same flow just before the request, or null when the kernel had closed it
	 * @param warmUp nginx's record of the request that made the connection idle
	 * @param executed nginx's records of the request after the drop
	 */
	record Round(ClientKind kind, HttpMethod method, Flow idle, Flow flowBeforeRequest, Throwable failure, long millis,
			Executions.Execution warmUp, List<Executions.Execution> executed, String rules) {

		long keepAliveTimerMillis() {
			return this.idle.keepAliveTimerMillis();
		}

		String row(String tcpKeepAlive) {
			long timer = keepAliveTimerMillis();
			return String.format("| %s | %s | %s | %s %s | %s | %d ms | %d |", this.kind, tcpKeepAlive,
					(timer < 0) ? "none" : timer + " ms", this.method,
					(this.failure == null) ? "ok" : "failed: " + rootCause(this.failure),
					(this.flowBeforeRequest == null) ? "closed by the kernel" : this.flowBeforeRequest.state(), this.millis,
					this.executed.size());
		}

		private static String rootCause(Throwable failure) {
			Throwable root = failure;
			while (root.getCause() != null && root.getCause() != root) {
				root = root.getCause();
			}
			return root.getClass().getSimpleName();
		}

		@Override
		public String toString() {
			return this.kind + ", " + this.method + " after the drop: "
					+ ((this.failure == null) ? "ok" : "failed: " + this.failure) + " in " + this.millis
					+ " ms\n  idle connection before the drop: " + this.idle.line() + "\n  the flow before the request: "
					+ ((this.flowBeforeRequest == null) ? "gone" : this.flowBeforeRequest.line()) + "\n  warm-up executed: "
					+ this.warmUp + "\n  request executed: " + this.executed + "\n  firewall:\n" + this.rules;
		}

	}

}
