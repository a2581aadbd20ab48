package dev.skein.operator.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * One status condition ({@code type}, {@code status} True/False/Unknown, {@code reason}, {@code message}). {@code
 * lastTransitionTime} only changes when {@code status} changes: see {@link #transitionFrom}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterCondition {
    /** The one condition type this operator writes. */
    public static final String READY = "Ready";

    private String type;
    private String status;
    private ClusterReason reason;
    private String message;
    private String lastTransitionTime;
    private Long observedGeneration;

    public ClusterCondition() {}

    public ClusterCondition(
            String type,
            String status,
            ClusterReason reason,
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

    /** This condition with the transition time of {@code previous} when the status did not change. */
    public ClusterCondition transitionFrom(ClusterCondition previous) {
        if (previous != null && Objects.equals(previous.status, status) && previous.lastTransitionTime != null) {
            return new ClusterCondition(type, status, reason, message, previous.lastTransitionTime, observedGeneration);
        }
        return this;
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

    public ClusterReason getReason() {
        return reason;
    }

    public void setReason(ClusterReason reason) {
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
}
