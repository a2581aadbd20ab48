package dev.skein.connector.deployment;

/**
 * What a Dev Services broker is started with; Quarkus reuses a running broker (across live reloads and between
 * applications of one JVM) exactly when these are equal.
 *
 * @param port the Kafka listener's port, 0 for a free one
 * @param partitions partitions of channel topics and of topics created on first use
 * @param shared whether the broker is published for (and may be taken from) other JVMs
 * @param serviceName the name it is published under
 */
record DevBrokerSettings(int port, int partitions, boolean shared, String serviceName) {}
