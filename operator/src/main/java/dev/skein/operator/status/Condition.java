package dev.skein.operator.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One status condition in the Kubernetes convention, shared by every custom resource of the operator: {@code type},
 * {@code status} ("True", "False" or "Unknown"), a machine-readable {@code reason} (the name of the resource's reason
 * enum), a human {@code message}, the RFC 3339 {@code lastTransitionTime} in whole seconds (changes only when {@code
 * status} changes: see {@link #transitionFrom}) and {@code observedGeneration}. A mutable bean for Jackson and the CRD
 * generator; the operator builds a new one per reconciliation and never mutates a stored one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {
    /** The one condition type this operator writes. */
    public static final String READY = "Ready";

    /** JSONPath of the Ready condition's status in a resource, for a printer column. */
    public static final String READY_STATUS_PATH = ".status.conditions[?(@.type==\"Ready\")].status";

    /** JSONPath of the Ready condition's reason in a resource, for a printer column. */
    public static final String READY_REASON_PATH = ".status.conditions[?(@.type==\"Ready\")].reason";

    @JsonPropertyDescription("Condition type; Ready.")
    private String type;

    @JsonPropertyDescription("True, False or Unknown.")
    private String status;

    @JsonPropertyDescription("Machine-readable reason in CamelCase.")
    private String reason;

    @JsonPropertyDescription("Human-readable explanation.")
    private String message;

    @JsonPropertyDescription("When status last changed (RFC 3339).")
    private String lastTransitionTime;

    @JsonPropertyDescription("metadata.generation this condition was computed for.")
    private Long observedGeneration;

    public Condition() {}

    public Condition(
            String type,
            String status,
            String reason,
            String message,
            String lastTransitionTime,
            Long observedGeneration) {
        this.type = type;
        this.status = status;
        this.reason = reason;
        this.message = message;
        this.lastTransitionTime = lastTransitionTime;
        this.observedGeneration = observedGeneration;
    }

    /**
     * The {@link #READY} condition carrying {@code reason}, computed at {@code now} for {@code observedGeneration},
     * as if its status had just changed; chain {@link #transitionFrom} to keep the previous transition time.
     */
    public static Condition ready(ConditionReason reason, String message, long observedGeneration, Instant now) {
        return new Condition(READY, reason.conditionStatus(), reason.name(), message, rfc3339(now), observedGeneration);
    }

    /**
     * This condition, but with the {@code lastTransitionTime} of {@code previous} (the condition of the same type
     * from the last written status, or null) when its status did not change.
     */
    public Condition transitionFrom(Condition previous) {
        if (previous != null && Objects.equals(previous.status, status) && previous.lastTransitionTime != null) {
            return new Condition(type, status, reason, message, previous.lastTransitionTime, observedGeneration);
        }
        return this;
    }

    /** The condition of {@code type} in {@code conditions}, if present. */
    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    /** {@code time} as Kubernetes writes a {@code metav1.Time}: RFC 3339 in whole seconds. */
    private static String rfc3339(Instant time) {
        return time.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public String getLastTransitionTime() {
        return lastTransitionTime;
    }

    public void setLastTransitionTime(String lastTransitionTime) {
        this.lastTransitionTime = lastTransitionTime;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Condition other
                && Objects.equals(type, other.type)
                && Objects.equals(status, other.status)
                && Objects.equals(reason, other.reason)
                && Objects.equals(message, other.message)
                && Objects.equals(lastTransitionTime, other.lastTransitionTime)
                && Objects.equals(observedGeneration, other.observedGeneration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, status, reason, message, lastTransitionTime, observedGeneration);
    }

    @Override
    public String toString() {
        return type + "=" + status + " (" + reason + "): " + message;
    }
}
