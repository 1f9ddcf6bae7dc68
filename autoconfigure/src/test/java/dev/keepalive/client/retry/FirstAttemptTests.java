package dev.keepalive.client.retry;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;

import dev.keepalive.client.ExchangeFacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The operator every WebClient exchange goes through: facts of its own per subscription, and a switch to the
 * resend on a broken connection that keeps the caller's demand and cancellation. The resends themselves, over
 * real connections, are {@link ResendTests}.
 */
class FirstAttemptTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private static final Mono<ExchangeFacts> FACTS_IN_CONTEXT = Mono
		.deferContextual((context) -> Mono.just(context.get(ExchangeFacts.CONTEXT_KEY)));

	@Test
	void eachSubscriptionSeesFactsOfItsOwnInItsContext() {
		Mono<ExchangeFacts> exchange = new FirstAttempt<>(FACTS_IN_CONTEXT, (facts, failure) -> Mono.empty());

		ExchangeFacts first = exchange.block(TIMEOUT);
		ExchangeFacts second = exchange.block(TIMEOUT);

		assertThat(first).isNotNull();
		assertThat(second).isNotNull().isNotSameAs(first);
	}

	@Test
	void aBrokenConnectionSwitchesToWhatFollowsWithTheAttemptsFacts() {
		IOException reset = new IOException("Connection reset by peer");
		AtomicReference<ExchangeFacts> seenByAttempt = new AtomicReference<>();
		List<Object> givenToNext = new ArrayList<>();
		Mono<String> attempt = FACTS_IN_CONTEXT.doOnNext(seenByAttempt::set).then(Mono.error(reset));

		String result = new FirstAttempt<>(attempt, (facts, failure) -> {
			givenToNext.add(facts);
			givenToNext.add(failure);
			return Mono.just("resent");
		}).block(TIMEOUT);

		assertThat(result).isEqualTo("resent");
		assertThat(givenToNext).containsExactly(seenByAttempt.get(), reset);
	}

	@Test
	void anyOtherFailurePassesThroughWithoutSwitching() {
		AtomicInteger switches = new AtomicInteger();
		Mono<String> exchange = new FirstAttempt<>(Mono.error(new IllegalStateException("not the connection")),
				(facts, failure) -> {
					switches.incrementAndGet();
					return Mono.just("resent");
				});

		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> exchange.block(TIMEOUT))
			.withMessage("not the connection");
		assertThat(switches).hasValue(0);
	}

	@Test
	void aFailureOfWhatFollowsIsNotSwitchedAgain() {
		AtomicInteger switches = new AtomicInteger();
		Mono<String> exchange = new FirstAttempt<>(Mono.error(new IOException("first")), (facts, failure) -> {
			switches.incrementAndGet();
			return Mono.error(new IOException("second"));
		});

		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> exchange.block(TIMEOUT))
			.havingRootCause()
			.withMessage("second");
		assertThat(switches).hasValue(1);
	}

	@Test
	void whatFollowsGetsTheDemandTheCallerGaveTheFirstAttempt() {
		Sinks.One<String> resend = Sinks.one();
		List<String> received = new CopyOnWriteArrayList<>();
		new FirstAttempt<>(Mono.<String>error(new IOException("reset")), (facts, failure) -> resend.asMono())
			.subscribe(new BaseSubscriber<>() {

				@Override
				protected void hookOnSubscribe(Subscription subscription) {
					subscription.request(1);
				}

				@Override
				protected void hookOnNext(String value) {
					received.add(value);
				}

			});

		resend.tryEmitValue("resent");

		assertThat(received).containsExactly("resent");
	}

	@Test
	void cancellingWhileWhatFollowsRunsCancelsIt() {
		AtomicBoolean resendCancelled = new AtomicBoolean();
		Mono<String> pending = Sinks.<String>one().asMono().doOnCancel(() -> resendCancelled.set(true));
		Disposable exchange = new FirstAttempt<>(Mono.<String>error(new IOException("reset")),
				(facts, failure) -> pending)
			.subscribe();

		exchange.dispose();

		assertThat(resendCancelled).isTrue();
	}

	@Test
	void aCallerThatCancelledIsNotResentFor() {
		// An attempt that, like a connection closing at that moment, fails after the caller cancelled.
		AtomicReference<CoreSubscriber<? super String>> attemptSubscriber = new AtomicReference<>();
		Mono<String> attempt = new Mono<>() {

			@Override
			public void subscribe(CoreSubscriber<? super String> actual) {
				attemptSubscriber.set(actual);
				actual.onSubscribe(Operators.emptySubscription());
			}

		};
		AtomicBoolean resendSubscribed = new AtomicBoolean();
		Mono<String> resend = Mono.<String>never().doOnSubscribe((subscription) -> resendSubscribed.set(true));
		Disposable exchange = new FirstAttempt<>(attempt, (facts, failure) -> resend).subscribe();

		exchange.dispose();
		attemptSubscriber.get().onError(new IOException("reset"));

		assertThat(resendSubscribed).isFalse();
	}

	@Test
	void aFailingSwitchSurfacesWithTheBrokenConnectionAttached() {
		IOException reset = new IOException("reset");
		Mono<String> exchange = new FirstAttempt<>(Mono.error(reset), (facts, failure) -> {
			throw new IllegalStateException("policy failed");
		});

		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> exchange.block(TIMEOUT))
			.withMessage("policy failed")
			.satisfies((ex) -> assertThat(ex.getSuppressed()).contains(reset));
	}

}
