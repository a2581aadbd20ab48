package dev.skein.broker.txn.coordinator;

import dev.skein.broker.common.config.ConfigDef;
import dev.skein.broker.common.config.ConfigDef.Type;
import dev.skein.broker.common.config.ConfigValues;

/**
 * The broker keys of the transaction coordinator (Kafka's {@code TransactionStateManagerConfig} and
 * {@code TransactionLogConfig}), declared once here; {@link #transactionConfig} reads them.
 */
public final class TransactionConfigs {
    public static final String STATE_LOG_NUM_PARTITIONS = "transaction.state.log.num.partitions";
    public static final String STATE_LOG_REPLICATION_FACTOR = "transaction.state.log.replication.factor";
    public static final String STATE_LOG_MIN_ISR = "transaction.state.log.min.isr";
    public static final String STATE_LOG_SEGMENT_BYTES = "transaction.state.log.segment.bytes";
    public static final String MAX_TIMEOUT_MS = "transaction.max.timeout.ms";
    public static final String ID_EXPIRATION_MS = "transactional.id.expiration.ms";
    public static final String ABORT_TIMED_OUT_INTERVAL_MS =
            "transaction.abort.timed.out.transaction.cleanup.interval.ms";
    public static final String REMOVE_EXPIRED_INTERVAL_MS =
            "transaction.remove.expired.transaction.cleanup.interval.ms";

    private TransactionConfigs() {}

    /** Declares the transaction coordinator's keys in {@code def}. */
    public static void define(ConfigDef def) {
        def.define(STATE_LOG_NUM_PARTITIONS, Type.INT, 50, 1, "Partitions of __transaction_state")
                .define(
                        STATE_LOG_REPLICATION_FACTOR,
                        Type.INT,
                        3,
                        1,
                        "Replication factor of __transaction_state; capped at the live brokers when it is created")
                .define(
                        STATE_LOG_MIN_ISR,
                        Type.INT,
                        2,
                        1,
                        "min.insync.replicas of __transaction_state; capped at its replication factor")
                .define(STATE_LOG_SEGMENT_BYTES, Type.INT, 100 * 1024 * 1024, 1, "Segment size of __transaction_state")
                .define(MAX_TIMEOUT_MS, Type.INT, 900_000, 1, "Largest transaction.timeout.ms a producer may use")
                .define(
                        ID_EXPIRATION_MS,
                        Type.LONG,
                        604_800_000L,
                        1,
                        "How long a transactional id without transactions is kept")
                .define(
                        ABORT_TIMED_OUT_INTERVAL_MS,
                        Type.LONG,
                        10_000L,
                        1,
                        "Period of the check that aborts transactions past their timeout")
                .define(
                        REMOVE_EXPIRED_INTERVAL_MS,
                        Type.LONG,
                        3_600_000L,
                        1,
                        "Period of the check that removes expired transactional ids");
    }

    /** The transaction coordinator's settings from parsed broker values. */
    public static TransactionConfig transactionConfig(ConfigValues values) {
        return new TransactionConfig(
                values.getInt(STATE_LOG_NUM_PARTITIONS),
                (short) values.getInt(STATE_LOG_REPLICATION_FACTOR),
                values.getInt(STATE_LOG_MIN_ISR),
                values.getInt(STATE_LOG_SEGMENT_BYTES),
                values.getInt(MAX_TIMEOUT_MS),
                values.getLong(ID_EXPIRATION_MS),
                values.getLong(ABORT_TIMED_OUT_INTERVAL_MS),
                values.getLong(REMOVE_EXPIRED_INTERVAL_MS));
    }
}
