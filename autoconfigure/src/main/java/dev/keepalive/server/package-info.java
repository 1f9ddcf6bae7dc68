/**
 * The server side: {@code Keep-Alive: timeout=N} on HTTP/1.1 responses of Tomcat, Jetty and Reactor Netty
 * applications, and {@code Connection: close} once shutdown begins.
 */
package dev.keepalive.server;
