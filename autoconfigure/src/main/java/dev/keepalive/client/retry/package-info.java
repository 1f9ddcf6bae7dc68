/**
 * Resends of requests whose reused connection broke, when that is provably safe: the rule, the spring-retry
 * policy, the request-factory decorator and the WebClient filter.
 */
package dev.keepalive.client.retry;
