package dev.skein.broker.txn.coordinator;

/**
 * The states of a transactional id at its coordinator (Kafka's {@code TransactionState}), with the byte each is
 * stored as in {@code __transaction_state} and the name DescribeTransactions and ListTransactions answer.
 *
 * <p>Life of a transaction: Empty -> Ongoing (first AddPartitionsToTxn/AddOffsetsToTxn) -> PrepareCommit or
 * PrepareAbort (EndTxn, timeout, or a new producer instance fencing this one) -> CompleteCommit or CompleteAbort (all
 * markers written) -> Ongoing again with the next transaction. PrepareEpochFence is never written: it marks, in
 * memory, the moment an Ongoing transaction's epoch is bumped before the coordinator aborts it. Dead is a
 * transactional id that expired and whose tombstone is written.
 */
public enum TransactionState {
    EMPTY(0, "Empty"),
    ONGOING(1, "Ongoing"),
    PREPARE_COMMIT(2, "PrepareCommit"),
    PREPARE_ABORT(3, "PrepareAbort"),
    COMPLETE_COMMIT(4, "CompleteCommit"),
    COMPLETE_ABORT(5, "CompleteAbort"),
    DEAD(6, "Dead"),
    PREPARE_EPOCH_FENCE(7, "PrepareEpochFence");

    private final byte id;
    private final String kafkaName;

    TransactionState(int id, String kafkaName) {
        this.id = (byte) id;
        this.kafkaName = kafkaName;
    }

    public byte id() {
        return id;
    }

    /** The name Kafka's admin APIs use ("Ongoing", "PrepareCommit", ...). */
    public String kafkaName() {
        return kafkaName;
    }

    /**
     * The state stored as {@code id}.
     *
     * @throws IllegalStateException for a byte no state has
     */
    public static TransactionState fromId(byte id) {
        for (TransactionState state : values()) {
            if (state.id == id) {
                return state;
            }
        }
        throw new IllegalStateException("unknown transaction state " + id);
    }

    /** The state named {@code name} (Kafka's name, any case), or null. */
    public static TransactionState fromKafkaName(String name) {
        for (TransactionState state : values()) {
            if (state.kafkaName.equalsIgnoreCase(name)) {
                return state;
            }
        }
        return null;
    }

    /** Whether a transaction in this state waits for its markers to be written. */
    public boolean isPrepare() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    /** Whether a new transaction (or a new producer epoch) may start from this state. */
    public boolean isIdle() {
        return this == EMPTY || this == COMPLETE_COMMIT || this == COMPLETE_ABORT;
    }
}
