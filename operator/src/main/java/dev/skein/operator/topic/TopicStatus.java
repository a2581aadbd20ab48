package dev.skein.operator.topic;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.skein.operator.status.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the operator last did with a {@link Topic}: one {@code Ready} condition, the generation it reflects, and the
 * identity of the Kafka topic the resource manages. {@code topicName} is recorded the first time the topic is
 * reconciled and is what makes {@code spec.topicName} immutable.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TopicStatus {
    @JsonPropertyDescription("Conditions; type Ready with a machine-readable reason and a human message.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("metadata.generation of the spec this status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription("Kafka topic id of the managed topic, as reported by the broker.")
    private String topicId;

    @JsonPropertyDescription("Name of the Kafka topic this resource manages; fixed at the first reconciliation.")
    private String topicName;

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions == null ? new ArrayList<>() : conditions;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public String getTopicId() {
        return topicId;
    }

    public void setTopicId(String topicId) {
        this.topicId = topicId;
    }

    public String getTopicName() {
        return topicName;
    }

    public void setTopicName(String topicName) {
        this.topicName = topicName;
    }

    /** The condition of the given type, if present. */
    public Optional<Condition> condition(String type) {
        return Condition.find(conditions, type);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicStatus other
                && conditions.equals(other.conditions)
                && Objects.equals(observedGeneration, other.observedGeneration)
                && Objects.equals(topicId, other.topicId)
                && Objects.equals(topicName, other.topicName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(conditions, observedGeneration, topicId, topicName);
    }
}
