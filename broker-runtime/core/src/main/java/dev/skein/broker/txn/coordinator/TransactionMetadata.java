package dev.skein.broker.txn.coordinator;

/**
 * One transactional id at its coordinator: the committed {@link TransactionEntry} (what {@code __transaction_state}
 * holds) and the state an in-flight write moves it to. Guarded by its own monitor: every read or change of
 * {@link #entry} or {@link #pending} holds it; nothing blocks while holding it.
 */
final class TransactionMetadata {
    final String transactionalId;
    /** The {@code __transaction_state} partition of the id. */
    final int partition;

    /** The last committed entry. */
    TransactionEntry entry;
    /** The state an in-flight write of this id moves to; null when no write is in flight. */
    TransactionState pending;

    TransactionMetadata(String transactionalId, int partition, TransactionEntry entry) {
        this.transactionalId = transactionalId;
        this.partition = partition;
        this.entry = entry;
    }
}
