package dev.skein.operator.kafka;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * How the operator reaches Skein brokers with the Kafka Admin client. Every key is under {@code skein.operator.}.
 */
@ConfigMapping(prefix = "skein.operator")
public interface KafkaConnectionConfig {
    /**
     * {@code skein.operator.bootstrap-servers}: when set, every resource talks to these brokers and the
     * {@code skein.dev/cluster} label is not needed (brokers outside Kubernetes, tests). When unset, a resource
     * labelled {@code skein.dev/cluster: C} in namespace {@code N} uses {@code C-bootstrap.N.svc:9092}.
     */
    Optional<String> bootstrapServers();

    /**
     * {@code skein.operator.admin-timeout}: how long one Admin call (describe, create, alter, delete) may take before
     * the broker counts as unavailable. Bounds how long a reconciliation can wait on a broker.
     */
    @WithDefault("5s")
    Duration adminTimeout();

    /** {@code skein.operator.retry-initial}: first delay before retrying when the broker is unavailable. */
    @WithDefault("2s")
    Duration retryInitial();

    /** {@code skein.operator.retry-max}: the retry delay doubles per consecutive failure up to this bound. */
    @WithDefault("1m")
    Duration retryMax();
}
