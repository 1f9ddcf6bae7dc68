package dev.keepalive.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of its own, joined to this one by a veth pair: a real network path (not loopback) to a
 * server started inside it, and a firewall in it ({@code nft}) that can drop one flow silently, as a NAT or
 * load balancer that forgot the flow does: no FIN, no RST, every packet of the flow lost both ways, new flows
 * unaffected. Needs root (CAP_NET_ADMIN), iproute2 and nftables; a missing one fails, never skips.
 * <p>
 * The pair's /30 lies in 198.18.0.0/15 (RFC 2544, for benchmarks: on no real network), chosen at random with
 * the names, so that concurrent runs on one machine do not meet. {@link #close} removes the pair and the
 * namespace, with the rules and the server's sockets in it.
 */
final class NetworkNamespace implements AutoCloseable {

	private static final String TABLE = "keepalive_interop";

	private final String name;

	private final String hostInterface;

	private final InetAddress hostAddress;

	private final InetAddress address;

	private final Thread cleanUpAtExit;

	private NetworkNamespace(String name, String hostInterface, InetAddress hostAddress, InetAddress address) {
		this.name = name;
		this.hostInterface = hostInterface;
		this.hostAddress = hostAddress;
		this.address = address;
		this.cleanUpAtExit = new Thread(this::remove, "netns-clean-up-" + name);
		Runtime.getRuntime().addShutdownHook(this.cleanUpAtExit);
	}

	/** Create the namespace, the veth pair with an address at each end, and an empty firewall in it. */
	static NetworkNamespace create() {
		if (!WorkDirectory.runningAsRoot()) {
			throw new IllegalStateException("A network namespace and a firewall rule need root (CAP_NET_ADMIN); this "
					+ "JVM runs as " + System.getProperty("user.name") + ": run the interop suite as root, as .ci/run does");
		}
		String ip = Binary.IP.path().toString();
		Binary.NFT.path();
		Binary.SS.path();
		String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
		int subnet = ThreadLocalRandom.current().nextInt(1 << 15) * 4; // a /30 of 198.18.0.0/15
		InetAddress host = ipv4(198, 18 + (subnet >> 16), (subnet >> 8) & 0xff, (subnet & 0xff) + 1);
		InetAddress inside = ipv4(198, 18 + (subnet >> 16), (subnet >> 8) & 0xff, (subnet & 0xff) + 2);
		String name = "keepalive-" + id;
		String hostInterface = "ka" + id + "h";
		String insideInterface = "ka" + id + "n";
		run(ip, "netns", "add", name);
		NetworkNamespace namespace = new NetworkNamespace(name, hostInterface, host, inside);
		try {
			run(ip, "link", "add", hostInterface, "type", "veth", "peer", "name", insideInterface, "netns", name);
			run(ip, "addr", "add", host.getHostAddress() + "/30", "dev", hostInterface);
			run(ip, "link", "set", hostInterface, "up");
			namespace.exec(ip, "addr", "add", inside.getHostAddress() + "/30", "dev", insideInterface);
			namespace.exec(ip, "link", "set", insideInterface, "up");
			namespace.exec(ip, "link", "set", "lo", "up");
			namespace.nft("""
					table inet %1$s {
					    chain input {
					        type filter hook input priority 0; policy accept;
					    }
					    chain output {
					        type filter hook output priority 0; policy accept;
					    }
					}
					""".formatted(TABLE));
			return namespace;
		}
		catch (RuntimeException ex) {
			namespace.close();
			throw ex;
		}
	}

	/** The server's address, inside the namespace. */
	InetAddress address() {
		return this.address;
	}

	/** This side's address: where the clients' connections come from. */
	InetAddress hostAddress() {
		return this.hostAddress;
	}

	/** A command line that runs {@code command} inside the namespace. */
	List<String> inside(List<String> command) {
		List<String> line = new ArrayList<>(List.of(Binary.IP.path().toString(), "netns", "exec", this.name));
		line.addAll(command);
		return line;
	}

	/**
	 * From now on, drop every packet of one TCP flow, both ways, inside the namespace (before the server's
	 * stack sees it, after it sent it): this side's kernel sees nothing more of it, not even an RST.
	 */
	void dropFlow(int clientPort, int serverPort) {
		nft("""
				add rule inet %1$s input ip saddr %2$s tcp sport %3$d tcp dport %4$d drop
				add rule inet %1$s output ip daddr %2$s tcp dport %3$d tcp sport %4$d drop
				""".formatted(TABLE, this.hostAddress.getHostAddress(), clientPort, serverPort));
	}

	/** The firewall's rules and their counters, for a failure message. */
	String rules() {
		return exec(Binary.NFT.path().toString(), "list", "table", "inet", TABLE);
	}

	@Override
	public void close() {
		remove();
		try {
			Runtime.getRuntime().removeShutdownHook(this.cleanUpAtExit);
		}
		catch (IllegalStateException ex) {
			// Shutting down already: the hook runs remove() again, harmlessly.
		}
	}

	/** Deleting the host's end deletes the pair at once; the namespace goes with its last user. */
	private void remove() {
		String ip = Binary.IP.path().toString();
		runQuietly(ip, "link", "del", this.hostInterface);
		runQuietly(ip, "netns", "del", this.name);
	}

	private void nft(String script) {
		List<String> command = inside(List.of(Binary.NFT.path().toString(), "-f", "-"));
		run(command, script);
	}

	private String exec(String... command) {
		return run(inside(List.of(command)), null);
	}

	private static String run(String... command) {
		return run(List.of(command), null);
	}

	private static void runQuietly(String... command) {
		try {
			run(command);
		}
		catch (RuntimeException ex) {
			// Gone already.
		}
	}

	/** Run a command to its end (bounded); its output, or a failure with it. */
	static String run(List<String> command, String input) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			if (input != null) {
				process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
			}
			process.getOutputStream().close();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(String.join(" ", command) + " did not finish within 10 s: " + output);
			}
			if (process.exitValue() != 0) {
				throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): "
						+ output + ((input != null) ? "\ninput:\n" + input : ""));
			}
			return output;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run " + command, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static InetAddress ipv4(int a, int b, int c, int d) {
		try {
			return InetAddress.getByAddress(new byte[] { (byte) a, (byte) b, (byte) c, (byte) d });
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
