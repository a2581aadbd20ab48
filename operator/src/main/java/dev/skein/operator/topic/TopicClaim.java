package dev.skein.operator.topic;

import dev.skein.operator.status.Condition;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * One Topic resource's claim on a Kafka topic: who it is, when it was created, and whether it already manages the topic
 * (its status names the topic without a conflict). Claims are ordered by {@link #PRECEDENCE}: the oldest resource
 * first; for resources created in the same second (the API server's timestamp resolution) the one already managing
 * the topic; then the uid and namespace/name so that every reconciliation agrees.
 */
public record TopicClaim(String namespace, String name, String uid, Instant createdAt, boolean incumbent) {
    public static final Comparator<TopicClaim> PRECEDENCE = Comparator.comparing(
                    TopicClaim::createdAt, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(claim -> !claim.incumbent())
            .thenComparing(TopicClaim::uid, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(TopicClaim::namespace)
            .thenComparing(TopicClaim::name);

    public TopicClaim {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    /** The claim of a Topic resource, read from its metadata and status. */
    public static TopicClaim of(Topic topic) {
        String created = topic.getMetadata().getCreationTimestamp();
        TopicStatus status = topic.getStatus();
        boolean incumbent = status != null
                && topic.effectiveTopicName().equals(status.getTopicName())
                && status.condition(Condition.READY)
                        .map(c -> !TopicReason.ResourceConflict.name().equals(c.getReason()))
                        .orElse(false);
        return new TopicClaim(
                topic.getMetadata().getNamespace(),
                topic.getMetadata().getName(),
                topic.getMetadata().getUid(),
                created == null ? null : Instant.parse(created),
                incumbent);
    }

    /** True when this claim names the same resource as the other (same namespace and name). */
    public boolean sameResource(TopicClaim other) {
        return namespace.equals(other.namespace) && name.equals(other.name);
    }

    /** "namespace/name" for messages. */
    public String displayName() {
        return namespace + "/" + name;
    }
}
