package dev.skein.operator.topic;

import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.PolicyViolationException;

/**
 * Turns a failed Admin call into a reconciliation outcome: the broker rejecting the spec (illegal name, unknown or
 * invalid config, bad partition or replica count) is {@code InvalidSpec} with the broker's message; not reaching the
 * broker in time is {@code BrokerUnavailable}; any other Kafka error is {@code KafkaError}. Both of the latter are
 * retried with backoff. Pure.
 */
final class TopicFailures {
    private TopicFailures() {}

    /** The outcome for a Kafka failure, or empty when {@code failure} is not one (a bug: let it propagate). */
    static Optional<TopicOutcome> outcomeOf(Throwable failure, String topicName, String bootstrap) {
        Throwable cause = unwrap(failure);
        if (isSpecRejection(cause)) {
            return Optional.of(new TopicOutcome(
                    TopicReason.InvalidSpec,
                    "the broker rejected topic '" + topicName + "': " + cause.getMessage(),
                    null,
                    null));
        }
        if (cause instanceof TimeoutException
                || cause instanceof org.apache.kafka.common.errors.TimeoutException
                || cause instanceof DisconnectException
                || cause instanceof NetworkException
                || cause instanceof ConfigException) {
            return Optional.of(TopicOutcome.of(
                    TopicReason.BrokerUnavailable,
                    "cannot reach the brokers at " + bootstrap + ": " + describe(cause) + "; retrying with backoff"));
        }
        if (cause instanceof KafkaException) {
            return Optional.of(TopicOutcome.of(
                    TopicReason.KafkaError,
                    "the broker failed a request for topic '" + topicName + "': " + describe(cause)
                            + "; retrying with backoff"));
        }
        return Optional.empty();
    }

    private static boolean isSpecRejection(Throwable cause) {
        return cause instanceof InvalidTopicException
                || cause instanceof InvalidConfigurationException
                || cause instanceof InvalidPartitionsException
                || cause instanceof InvalidReplicationFactorException
                || cause instanceof InvalidReplicaAssignmentException
                || cause instanceof InvalidRequestException
                || cause instanceof PolicyViolationException;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        String kind = cause instanceof ApiException
                ? cause.getClass().getSimpleName()
                : cause.getClass().getName();
        return message == null ? kind : kind + ": " + message;
    }
}
