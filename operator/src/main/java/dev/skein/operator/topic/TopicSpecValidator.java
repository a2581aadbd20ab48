package dev.skein.operator.topic;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a {@link Topic} before anything is sent to the broker: a legal Kafka topic name, at least one partition, a
 * replication factor between 1 and {@value Short#MAX_VALUE}, config entries with non-blank keys and non-null values,
 * and a topic name equal to the one recorded in {@code status.topicName} (it is immutable). Whether a config key is
 * known and its value acceptable is left to the broker, whose message ends up in the status. Pure and thread-safe.
 */
public final class TopicSpecValidator {
    /** Kafka's legal topic-name characters. */
    public static final String LEGAL_NAME_REGEX = "^[a-zA-Z0-9._-]+$";
    /** Kafka's longest topic name. */
    public static final int MAX_NAME_LENGTH = 249;

    private static final Pattern LEGAL_NAME = Pattern.compile(LEGAL_NAME_REGEX);

    private TopicSpecValidator() {}

    /** The first problem with the topic's spec, as a message for the user, or empty when it is valid. */
    public static Optional<String> problem(Topic topic) {
        TopicSpec spec = topic.getSpec();
        if (spec == null) {
            return Optional.of("spec is missing");
        }
        String name = topic.effectiveTopicName();
        Optional<String> nameProblem = nameProblem(name);
        if (nameProblem.isPresent()) {
            return nameProblem;
        }
        TopicStatus status = topic.getStatus();
        if (status != null
                && status.getTopicName() != null
                && !status.getTopicName().equals(name)) {
            return Optional.of("spec.topicName is immutable: this resource manages topic '" + status.getTopicName()
                    + "' and cannot be renamed to '" + name + "'; set it back, or create a new Topic resource");
        }
        if (spec.getPartitions() == null || spec.getPartitions() < 1) {
            return Optional.of("spec.partitions must be at least 1, got " + spec.getPartitions());
        }
        if (spec.getReplicas() == null || spec.getReplicas() < 1 || spec.getReplicas() > Short.MAX_VALUE) {
            return Optional.of(
                    "spec.replicas must be between 1 and " + Short.MAX_VALUE + ", got " + spec.getReplicas());
        }
        for (Map.Entry<String, String> entry : spec.getConfig().entrySet()) {
            if (entry.getKey() == null || entry.getKey().isBlank()) {
                return Optional.of("spec.config has an empty key");
            }
            if (entry.getValue() == null) {
                return Optional.of("spec.config." + entry.getKey() + " has no value; remove the key to use the "
                        + "broker default");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("topic name is empty");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("topic name cannot be '.' or '..'");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return Optional.of(
                    "topic name is " + name.length() + " characters long; the maximum is " + MAX_NAME_LENGTH);
        }
        if (!LEGAL_NAME.matcher(name).matches()) {
            return Optional.of("topic name '" + name + "' is illegal: it may contain only ASCII letters, digits, "
                    + "'.', '_' and '-'");
        }
        return Optional.empty();
    }
}
