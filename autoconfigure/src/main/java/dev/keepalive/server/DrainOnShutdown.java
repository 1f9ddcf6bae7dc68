package dev.keepalive.server;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Switches the advertisement to {@code Connection: close} as the application starts to shut down, in the
 * phase just before the web server's graceful shutdown, so that the responses served while it drains tell
 * clients to stop reusing connections to an instance that is going away.
 */
final class DrainOnShutdown implements SmartLifecycle {

	private final KeepAliveAdvertisement advertisement;

	private volatile boolean running;

	DrainOnShutdown(KeepAliveAdvertisement advertisement) {
		this.advertisement = advertisement;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.advertisement.startDraining();
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;
	}

}
