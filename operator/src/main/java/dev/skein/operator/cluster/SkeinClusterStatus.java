package dev.skein.operator.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.skein.operator.status.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Observed state of a {@link SkeinCluster}, written at the end of a reconciliation only when it differs from the
 * previous one ({@link #equals} compares every field, conditions included).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SkeinClusterStatus {
    @JsonPropertyDescription("Conditions; type Ready says whether every broker is ready and the spec is applied")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Brokers whose readiness probe passes")
    private Integer readyBrokers;

    @JsonPropertyDescription(
            "Brokers the StatefulSet is sized for (differs from spec.replicas while scale-down is refused)")
    private Integer replicas;

    @JsonPropertyDescription("Kafka bootstrap address inside the cluster, <name>-bootstrap.<namespace>.svc:9092")
    private String bootstrapServers;

    @JsonPropertyDescription("metadata.generation of the spec this status describes")
    private Long observedGeneration;

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions == null ? new ArrayList<>() : conditions;
    }

    public Integer getReadyBrokers() {
        return readyBrokers;
    }

    public void setReadyBrokers(Integer readyBrokers) {
        this.readyBrokers = readyBrokers;
    }

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }

    public String getBootstrapServers() {
        return bootstrapServers;
    }

    public void setBootstrapServers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    /** The condition of {@code type}, if present. */
    public Optional<Condition> condition(String type) {
        return Condition.find(conditions, type);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SkeinClusterStatus other
                && conditions.equals(other.conditions)
                && Objects.equals(readyBrokers, other.readyBrokers)
                && Objects.equals(replicas, other.replicas)
                && Objects.equals(bootstrapServers, other.bootstrapServers)
                && Objects.equals(observedGeneration, other.observedGeneration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(conditions, readyBrokers, replicas, bootstrapServers, observedGeneration);
    }
}
