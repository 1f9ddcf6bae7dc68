package dev.keepalive.client.retry;

import org.springframework.retry.RetryListener;

/**
 * A {@link RetryListener} told about the attempts of every RestTemplate, RestClient and WebClient request:
 * declare one as a bean. {@link KeepAliveRetryPolicy#decision} reads, from the context, what was decided
 * about a failure. WebClient's attempts pass a {@code null} callback.
 */
public interface KeepAliveRetryListener extends RetryListener {

}
