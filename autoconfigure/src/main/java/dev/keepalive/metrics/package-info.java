/**
 * Micrometer meters for the pool, the resends and the server's advertisement.
 */
package dev.keepalive.metrics;
