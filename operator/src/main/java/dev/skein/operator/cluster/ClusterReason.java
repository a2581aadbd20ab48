package dev.skein.operator.cluster;

import dev.skein.operator.status.ConditionReason;

/** Machine-readable {@code reason} of a {@link SkeinCluster}'s {@code Ready} condition, and the status it implies. */
public enum ClusterReason implements ConditionReason {
    /** Every broker is ready and the StatefulSet has the requested size. */
    Ready("True"),
    /** Children are applied; fewer brokers than requested pass their readiness probe (e.g. during a rolling restart). */
    BrokersNotReady("False"),
    /** The spec cannot be applied (message says which field); nothing was changed. */
    InvalidSpec("False"),
    /** spec.replicas was lowered but a partition still has a replica on a broker that would go; the size is kept. */
    ScaleDownBlocked("False"),
    /** The brokers could not be asked whether a scale-down is safe, so it is refused; retried with backoff. */
    BrokerUnavailable("False");

    private final String conditionStatus;

    ClusterReason(String conditionStatus) {
        this.conditionStatus = conditionStatus;
    }

    @Override
    public String conditionStatus() {
        return conditionStatus;
    }
}
