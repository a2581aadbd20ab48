package dev.skein.broker.txn.coordinator;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;

/**
 * One transactional id at its coordinator: the committed {@link TransactionEntry} (what {@code __transaction_state}
 * holds) and the state an in-flight write moves it to. Requests decide and start a write holding its monitor, and set
 * {@link #pending} there; while it is set no other request changes the id. The write's completion then installs the
 * entry and clears {@link #pending} without the monitor (in that order, both volatile), so a completion running on an
 * appending thread that holds another id's monitor never waits for this one.
 */
final class TransactionMetadata {
    final String transactionalId;
    /** The {@code __transaction_state} partition of the id. */
    final int partition;

    /** The last committed entry. */
    volatile TransactionEntry entry;
    /** The state an in-flight write of this id moves to; null when no write is in flight. */
    volatile TransactionState pending;
    /**
     * The outcome of the last write started (set before {@link #pending}, completed after it is cleared), so a request
     * that meets a write in flight may wait for it instead of failing.
     */
    volatile CompletableFuture<Errors> lastWrite = CompletableFuture.completedFuture(Errors.NONE);
    /**
     * Completes when the transaction prepared last is complete (its Complete entry committed) or its Prepare entry
     * failed; a transaction resumed by a load has none (already completed).
     */
    volatile CompletableFuture<Void> ended = CompletableFuture.completedFuture(null);

    TransactionMetadata(String transactionalId, int partition, TransactionEntry entry) {
        this.transactionalId = transactionalId;
        this.partition = partition;
        this.entry = entry;
    }
}
