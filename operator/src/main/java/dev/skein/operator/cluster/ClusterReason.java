package dev.skein.operator.cluster;

/** Machine-readable {@code reason} of a {@link SkeinCluster}'s {@code Ready} condition. */
public enum ClusterReason {
    /** Every broker is ready and the StatefulSet has the requested size. */
    Ready,
    /** Children are applied; fewer brokers than requested pass their readiness probe (e.g. during a rolling restart). */
    BrokersNotReady,
    /** The spec cannot be applied (message says which field); nothing was changed. */
    InvalidSpec,
    /** spec.replicas was lowered but a partition still has a replica on a broker that would go; the size is kept. */
    ScaleDownBlocked,
    /** The brokers could not be asked whether a scale-down is safe, so it is refused; retried with backoff. */
    BrokerUnavailable
}
