package dev.skein.broker.group;

/** States of a classic group, with the names Kafka reports in DescribeGroups and ListGroups. */
public enum GroupState {
    /** No members; offsets may still exist. */
    EMPTY("Empty"),
    /** Waiting for every member to (re)join. */
    PREPARING_REBALANCE("PreparingRebalance"),
    /** Joined; waiting for the leader's assignment in SyncGroup. */
    COMPLETING_REBALANCE("CompletingRebalance"),
    /** Members have their assignment and heartbeat. */
    STABLE("Stable"),
    /** Removed (deleted, expired or unloaded); requests must look the group up again. */
    DEAD("Dead");

    private final String kafkaName;

    GroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    public String kafkaName() {
        return kafkaName;
    }

    /** The state with this Kafka name (case-insensitive), or null. */
    public static GroupState byKafkaName(String name) {
        for (GroupState state : values()) {
            if (state.kafkaName.equalsIgnoreCase(name)) {
                return state;
            }
        }
        return null;
    }
}
