package dev.skein.connector.deployment;

import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Map;
import java.util.Optional;

/** Build-time configuration of the skein extension ({@code quarkus.skein.*}). */
@ConfigMapping(prefix = "quarkus.skein")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface SkeinBuildTimeConfig {
    /** Dev Services: a Skein broker in a child JVM (no Docker) for dev and test mode. */
    DevServices devservices();

    interface DevServices {
        /**
         * Whether Dev Services start a broker. When unset, they do unless every skein channel (or
         * {@code skein.bootstrap.servers}) has a {@code bootstrap.servers}.
         */
        Optional<Boolean> enabled();

        /** Fixed port of the broker's Kafka listener; unset or 0 picks a free one. */
        Optional<Integer> port();

        /** Partitions of the topics the channels name and of topics created on first use. */
        @WithDefault("1")
        int partitions();

        /** Further topics to create at start, with their partition counts (like {@code quarkus.kafka.devservices}). */
        @ConfigDocMapKey("topic-name")
        Map<String, Integer> topicPartitions();

        /**
         * Whether the broker is shared: published (per {@link #serviceName()}) so that other applications and test
         * runs on this machine reuse it instead of starting their own. It still stops with the application that
         * started it.
         */
        @WithDefault("true")
        boolean shared();

        /** The name a shared broker is published and found under. */
        @WithDefault("skein")
        String serviceName();
    }
}
