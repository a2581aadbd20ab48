package dev.skein.operator.topic;

import dev.skein.operator.status.ConditionReason;

/**
 * The machine-readable {@code reason} of a Topic's {@code Ready} condition, and the condition status it implies.
 * Names are written to the status verbatim, so renaming one is an API change.
 */
public enum TopicReason implements ConditionReason {
    /** The topic exists on the broker and matches the spec. */
    Ready("True"),
    /** The spec is invalid (name, partitions, replicas, a config key or value, or a changed topicName). */
    InvalidSpec("False"),
    /** The spec asks for a change the operator cannot make: fewer partitions, or a different replication factor. */
    NotSupported("False"),
    /** An older Topic resource already manages the same Kafka topic; this one changes nothing and never deletes it. */
    ResourceConflict("False"),
    /** The broker could not be reached or did not answer in time; the operator retries with backoff. */
    BrokerUnavailable("False"),
    /** The broker refused a request for a reason that is not the spec's fault; the operator retries with backoff. */
    KafkaError("False"),
    /** The annotation {@code skein.dev/managed: "false"} is set: the operator neither changes nor deletes the topic. */
    Unmanaged("Unknown"),
    /** The annotation {@code skein.dev/pause-reconciliation: "true"} is set: nothing is changed until it is removed. */
    ReconciliationPaused("Unknown");

    private final String conditionStatus;

    TopicReason(String conditionStatus) {
        this.conditionStatus = conditionStatus;
    }

    @Override
    public String conditionStatus() {
        return conditionStatus;
    }
}
