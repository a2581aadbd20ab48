package dev.skein.connector.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.Map;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * {@link SkeinSource#open} that fails part-way closes the clients it already created. A Kafka client registers its
 * {@code app-info} MBean when it is created and removes it when it is closed, so a leaked client stays visible there.
 * No broker is needed: creating a client does not connect.
 */
class SourceOpenFailureTest {

    @Test
    void failureAfterTheConsumerIsCreatedClosesTheConsumerAndTheCopyProducer() throws Exception {
        // the copy producer (dead-letter-queue) and consumer 0 exist when the value deserializer of loop 0 fails
        var config = RealSources.stringChannel(
                "half-open",
                "127.0.0.1:9",
                Map.of(
                        "value.deserializer", "dev.skein.connector.NoSuchDeserializer",
                        "failure-strategy", "dead-letter-queue"));

        assertThatThrownBy(() -> SkeinSource.open(config, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NoSuchDeserializer");

        assertThat(registered("kafka.consumer:type=app-info,id=skein-half-open-0"))
                .as("consumer 0 closed")
                .isFalse();
        assertThat(registered("kafka.producer:type=app-info,id=skein-half-open-failures"))
                .as("copy producer closed")
                .isFalse();
    }

    @Test
    void unknownCommitStrategyLeavesNoConsumer() throws Exception {
        var config = RealSources.stringChannel(
                "second-fails", "127.0.0.1:9", Map.of("partitions", "2", "commit-strategy", "no-such-strategy"));

        assertThatThrownBy(() -> SkeinSource.open(config, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commit-strategy=no-such-strategy");

        assertThat(registered("kafka.consumer:type=app-info,id=skein-second-fails-0"))
                .as("consumer 0 closed")
                .isFalse();
        assertThat(registered("kafka.consumer:type=app-info,id=skein-second-fails-1"))
                .as("consumer 1 closed")
                .isFalse();
    }

    private static boolean registered(String name) throws MalformedObjectNameException {
        return ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(name));
    }
}
