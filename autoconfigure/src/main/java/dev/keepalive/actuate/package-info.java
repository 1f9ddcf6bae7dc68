/**
 * The {@code keepalive} health component and the {@code /actuator/keepalive} endpoint.
 */
package dev.keepalive.actuate;
