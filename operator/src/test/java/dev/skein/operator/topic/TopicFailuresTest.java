package dev.skein.operator.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.junit.jupiter.api.Test;

class TopicFailuresTest {
    @Test
    void brokerRejectionOfTheSpecIsInvalidSpecWithTheBrokersMessage() {
        TopicOutcome outcome = TopicFailures.outcomeOf(
                        new ExecutionException(new InvalidConfigurationException("Unknown topic config 'nope'")),
                        "orders",
                        "b:9092")
                .orElseThrow();

        assertThat(outcome.reason()).isEqualTo(TopicReason.InvalidSpec);
        assertThat(outcome.message()).contains("Unknown topic config 'nope'");
        assertThat(TopicFailures.outcomeOf(new InvalidReplicationFactorException("only 1 broker"), "o", "b")
                        .orElseThrow()
                        .reason())
                .isEqualTo(TopicReason.InvalidSpec);
    }

    @Test
    void timeoutsAndUnresolvableBootstrapAreBrokerUnavailable() {
        assertThat(TopicFailures.outcomeOf(new ExecutionException(new TimeoutException("node")), "o", "b:9092")
                        .orElseThrow())
                .satisfies(outcome -> {
                    assertThat(outcome.reason()).isEqualTo(TopicReason.BrokerUnavailable);
                    assertThat(outcome.message()).contains("b:9092");
                });
        assertThat(TopicFailures.outcomeOf(new java.util.concurrent.TimeoutException(), "o", "b")
                        .orElseThrow()
                        .reason())
                .isEqualTo(TopicReason.BrokerUnavailable);
        assertThat(TopicFailures.outcomeOf(new ConfigException("No resolvable bootstrap urls"), "o", "b")
                        .orElseThrow()
                        .reason())
                .isEqualTo(TopicReason.BrokerUnavailable);
    }

    @Test
    void otherKafkaErrorsAreKafkaErrorAndNonKafkaFailuresPropagate() {
        assertThat(TopicFailures.outcomeOf(new UnknownServerException("boom"), "o", "b")
                        .orElseThrow()
                        .reason())
                .isEqualTo(TopicReason.KafkaError);
        assertThat(TopicFailures.outcomeOf(new IllegalStateException("bug"), "o", "b"))
                .isEmpty();
    }
}
