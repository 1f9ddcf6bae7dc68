package dev.keepalive.client.reactor;

import dev.keepalive.client.KeepAliveClientProperties;
import dev.keepalive.client.KeepAlivePolicy;
import dev.keepalive.client.Origins;
import dev.keepalive.testsupport.ClientContext;
import org.junit.jupiter.api.Test;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class KeepAliveReactorNettyAutoConfigurationTests {

	private final ApplicationContextRunner runner = ClientContext.runner();

	@Test
	void createsThePoolAndHooksItIntoBootsClientBuilders() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(ConnectionProvider.class)
				.hasSingleBean(KeepAliveHttpClientCustomizer.class)
				.hasSingleBean(KeepAlivePools.class)
				.hasBean("keepAliveClientHttpRequestFactoryBuilderCustomizer")
				.hasBean("keepAliveClientHttpConnectorBuilderCustomizer");
			assertThat(context.getBean(ConnectionProvider.class).name())
				.isEqualTo(KeepAliveReactorNettyAutoConfiguration.POOL_NAME)
				.isEqualTo("keepalive");
		});
	}

	@Test
	void createsNothingWhenTheClientSideIsDisabled() {
		this.runner.withPropertyValues("keepalive.client.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(ConnectionProvider.class)
				.doesNotHaveBean(KeepAliveHttpClientCustomizer.class)
				.doesNotHaveBean(KeepAlivePools.class)
				.doesNotHaveBean("keepAliveClientHttpRequestFactoryBuilderCustomizer")
				.doesNotHaveBean("keepAliveClientHttpConnectorBuilderCustomizer"));
	}

	@Test
	void backsOffWhenUserDefinesConnectionProvider() {
		ConnectionProvider own = ConnectionProvider.create("mine", 3);
		this.runner.withBean("myConnectionProvider", ConnectionProvider.class, () -> own).run((context) -> {
			assertThat(context).hasSingleBean(ConnectionProvider.class);
			assertThat(context.getBean(ConnectionProvider.class)).isSameAs(own);
		});
		own.dispose();
	}

	@Test
	void backsOffWhenUserDefinesHttpClientCustomizer() {
		KeepAliveHttpClientCustomizer own = new KeepAliveHttpClientCustomizer(
				new Origins(new KeepAlivePolicy(new KeepAliveClientProperties())));
		this.runner.withBean(KeepAliveHttpClientCustomizer.class, () -> own)
			.run((context) -> assertThat(context.getBean(KeepAliveHttpClientCustomizer.class)).isSameAs(own));
	}

	@Test
	void backsOffWhenUserDefinesBuilderCustomizersOfTheSameName() {
		ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> blocking = (builder) -> builder;
		ClientHttpConnectorBuilderCustomizer<?> reactive = (builder) -> builder;
		this.runner
			.withBean("keepAliveClientHttpRequestFactoryBuilderCustomizer", ClientHttpRequestFactoryBuilderCustomizer.class,
					() -> blocking)
			.withBean("keepAliveClientHttpConnectorBuilderCustomizer", ClientHttpConnectorBuilderCustomizer.class,
					() -> reactive)
			.run((context) -> {
				assertThat(context.getBean("keepAliveClientHttpRequestFactoryBuilderCustomizer")).isSameAs(blocking);
				assertThat(context.getBean("keepAliveClientHttpConnectorBuilderCustomizer")).isSameAs(reactive);
			});
	}

	@Test
	void disposesThePoolOnShutdown() {
		ConnectionProvider[] provider = new ConnectionProvider[1];
		this.runner.run((context) -> provider[0] = context.getBean(ConnectionProvider.class));
		assertThat(provider[0].isDisposed()).isTrue();
	}

}
