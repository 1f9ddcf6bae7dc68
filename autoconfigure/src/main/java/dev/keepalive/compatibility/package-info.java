/**
 * A clear start-up failure on a Spring Boot version the starter does not support.
 */
package dev.keepalive.compatibility;
