package dev.keepalive.server;

import java.io.IOException;
import java.io.PrintWriter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.springframework.web.filter.OncePerRequestFilter;

import static dev.keepalive.server.KeepAliveResponseRules.CONNECTION;
import static dev.keepalive.server.KeepAliveResponseRules.KEEP_ALIVE;

/**
 * Adds {@code Keep-Alive: timeout=N} to HTTP/1.1 responses of a servlet container (Tomcat, Jetty). The
 * header is written when the response is about to commit, once its status is known, so that a response
 * on which the connection closes never advertises a timeout.
 */
public class KeepAliveHeaderFilter extends OncePerRequestFilter {

	private final KeepAliveAdvertisement advertisement;

	/**
	 * Create a filter.
	 * @param advertisement what the running server advertises
	 */
	public KeepAliveHeaderFilter(KeepAliveAdvertisement advertisement) {
		this.advertisement = advertisement;
	}

	@Override
	protected boolean shouldNotFilterAsyncDispatch() {
		return false;
	}

	@Override
	protected boolean shouldNotFilterErrorDispatch() {
		return false;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (this.advertisement.isDraining()) {
			if (KeepAliveResponseRules.mayCarryConnectionHeader(request.getProtocol())) {
				response.setHeader(CONNECTION, "close");
			}
			chain.doFilter(request, response);
			return;
		}
		String header = this.advertisement.header();
		String connection = request.getHeader(CONNECTION);
		boolean tomcat = this.advertisement.isTomcat();
		if (header == null || response.isCommitted()
				|| !KeepAliveResponseRules.requestKeepsConnection(request.getProtocol(), connection)
				|| (tomcat && KeepAliveResponseRules.hasToken(connection, "keep-alive"))) {
			// Nothing to advertise, or Tomcat answers "Connection: keep-alive" with its own header.
			chain.doFilter(request, response);
			return;
		}
		AdvertisingResponse advertising = new AdvertisingResponse(response, header, tomcat);
		chain.doFilter(request, advertising);
		if (!request.isAsyncStarted()) {
			advertising.advertise(advertising.getStatus());
		}
	}

	/** Writes the header at the first point where the response may commit. */
	private final class AdvertisingResponse extends HttpServletResponseWrapper {

		private final String header;

		private final boolean tomcat;

		private boolean decided;

		AdvertisingResponse(HttpServletResponse response, String header, boolean tomcat) {
			super(response);
			this.header = header;
			this.tomcat = tomcat;
		}

		void advertise(int status) {
			if (this.decided || isCommitted()) {
				return;
			}
			this.decided = true;
			if (advertisement.isDraining()) {
				// Shutdown began while this request was in flight.
				super.setHeader(CONNECTION, "close");
				return;
			}
			if (!containsHeader(KEEP_ALIVE)
					&& KeepAliveResponseRules.responseKeepsConnection(status, getHeader(CONNECTION), this.tomcat)) {
				super.setHeader(KEEP_ALIVE, this.header);
			}
		}

		@Override
		public ServletOutputStream getOutputStream() throws IOException {
			advertise(getStatus());
			return super.getOutputStream();
		}

		@Override
		public PrintWriter getWriter() throws IOException {
			advertise(getStatus());
			return super.getWriter();
		}

		@Override
		public void flushBuffer() throws IOException {
			advertise(getStatus());
			super.flushBuffer();
		}

		@Override
		public void sendError(int status) throws IOException {
			advertise(status);
			super.sendError(status);
		}

		@Override
		public void sendError(int status, String message) throws IOException {
			advertise(status);
			super.sendError(status, message);
		}

		@Override
		public void sendRedirect(String location) throws IOException {
			advertise(SC_FOUND);
			super.sendRedirect(location);
		}

		@Override
		public void addHeader(String name, String value) {
			// The application's own Keep-Alive replaces, never joins, ours.
			if (KEEP_ALIVE.equalsIgnoreCase(name)) {
				super.setHeader(name, value);
				return;
			}
			super.addHeader(name, value);
		}

	}

}
