/**
 * The Reactor Netty engine (WebClient, and RestTemplate and RestClient by default): the shared pool, its
 * eviction predicate, the {@code HttpClient} customizer that reads each response, and Boot's builder
 * customizers.
 */
package dev.keepalive.client.reactor;
