/**
 * The engine-neutral client model: properties, the {@code Keep-Alive} header, the policy and reuse limits,
 * origins and what they learnt, a connection's reuse state and an exchange's facts. Each engine has a package of
 * its own.
 */
package dev.keepalive.client;
