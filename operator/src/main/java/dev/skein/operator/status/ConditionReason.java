package dev.skein.operator.status;

/**
 * A machine-readable {@code reason} of a {@link Condition#READY} condition, implemented by each resource's reason
 * enum: its {@link #name()} is written to the status verbatim and it decides the condition's status.
 */
public interface ConditionReason {
    /** The reason as written to {@code reason}; renaming it is an API change. */
    String name();

    /** "True", "False" or "Unknown": the status of the Ready condition that carries this reason. */
    String conditionStatus();
}
