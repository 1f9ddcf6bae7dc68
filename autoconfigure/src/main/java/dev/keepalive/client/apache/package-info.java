/**
 * The Apache HttpClient 5 engine (RestTemplate and RestClient when Boot builds them on it): tracked connections,
 * the keep-alive and reuse strategies, and the request executor.
 */
package dev.keepalive.client.apache;
