package dev.keepalive.client;

import java.util.Set;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

/**
 * Finds {@code keepalive.client.hosts.*} settings that would bind nothing, before anything binds them. A host key with dots written
 * without brackets ({@code keepalive.client.hosts.api.example.com.idle-timeout}) is split at its dots by
 * Boot's binder, so the setting silently vanishes; this turns it into a start-up failure that shows the
 * bracketed form.
 */
final class HostPropertyNames {

	private static final ConfigurationPropertyName HOSTS = ConfigurationPropertyName.of(KeepAliveClientProperties.PREFIX
			+ ".hosts");

	/** The per-host properties, in the binder's uniform form (no dashes). */
	private static final Set<String> LEAVES = Set.of("idletimeout", "ignoreadvertised");

	private HostPropertyNames() {
	}

	/**
	 * Check every property source of the environment.
	 * @param environment the environment
	 * @throws InvalidConfigurationPropertyValueException naming the first setting that binds nothing
	 */
	static void check(Environment environment) {
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.filter(HOSTS::isAncestorOf).stream().forEach((name) -> check(name, iterable));
			}
		}
	}

	private static void check(ConfigurationPropertyName name, ConfigurationPropertySource source) {
		int hostElement = HOSTS.getNumberOfElements();
		boolean binds = name.getNumberOfElements() == hostElement + 2
				&& LEAVES.contains(name.getElement(hostElement + 1, Form.UNIFORM));
		if (!binds) {
			ConfigurationProperty property = source.getConfigurationProperty(name);
			throw new InvalidConfigurationPropertyValueException(name.toString(),
					(property != null) ? property.getValue() : null,
					"this key binds nothing (the value is fine): a host key with dots or a colon must be in brackets, e.g. " + HOSTS
							+ "[api.example.com\\:443].idle-timeout=60s in a .properties file (the colon escaped), "
							+ "\"[api.example.com:443]\": in YAML; and the setting must be idle-timeout or "
							+ "ignore-advertised");
		}
	}

}
