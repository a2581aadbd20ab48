package dev.skein.connector.deployment;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Build-time configuration of the skein extension ({@code quarkus.skein.*}). */
@ConfigMapping(prefix = "quarkus.skein")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface SkeinBuildTimeConfig {
    /** Dev Services: an embedded Skein broker in the application's JVM for dev and test mode. */
    DevServices devservices();

    interface DevServices {
        /**
         * Whether Dev Services start an embedded broker. When unset, they do unless every skein channel (or
         * {@code skein.bootstrap.servers}) has a {@code bootstrap.servers}.
         */
        Optional<Boolean> enabled();

        /** Port of the embedded broker's Kafka listener; 0 picks a free one. */
        @WithDefault("0")
        int port();

        /** Partitions of topics the embedded broker creates on first use. */
        @WithDefault("1")
        int topicPartitions();
    }
}
