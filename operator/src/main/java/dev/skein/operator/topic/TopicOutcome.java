package dev.skein.operator.topic;

import dev.skein.operator.status.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The result of one reconciliation, and how it becomes the next {@link TopicStatus}: the Ready condition carries the
 * reason and message, and keeps its {@code lastTransitionTime} unless its status ("True"/"False"/"Unknown") changes.
 * Fields this outcome does not know (a null topic name or id) keep their previous values, so a failed reconciliation
 * never forgets which topic the resource manages. Pure.
 *
 * @param reason machine-readable outcome
 * @param message human explanation
 * @param topicName the Kafka topic the resource manages, or null to keep the recorded one
 * @param topicId the broker's topic id, or null to keep the recorded one
 */
public record TopicOutcome(TopicReason reason, String message, String topicName, String topicId) {
    public TopicOutcome {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    public static TopicOutcome of(TopicReason reason, String message) {
        return new TopicOutcome(reason, message, null, null);
    }

    /** The status after this outcome, given the previous status (null on the first reconciliation). */
    public TopicStatus applyTo(TopicStatus previous, long generation, Instant now) {
        TopicStatus next = new TopicStatus();
        Condition before =
                previous == null ? null : previous.condition(Condition.READY).orElse(null);
        List<Condition> conditions = new ArrayList<>();
        conditions.add(Condition.ready(reason, message, generation, now).transitionFrom(before));
        if (previous != null) {
            previous.getConditions().stream()
                    .filter(c -> !Condition.READY.equals(c.getType()))
                    .forEach(conditions::add);
        }
        next.setConditions(conditions);
        next.setObservedGeneration(generation);
        next.setTopicName(topicName != null ? topicName : previous == null ? null : previous.getTopicName());
        next.setTopicId(topicId != null ? topicId : previous == null ? null : previous.getTopicId());
        return next;
    }
}
