package dev.skein.broker.txn.coordinator;

import dev.skein.broker.txn.coordinator.TransactionShards.Shard;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves transactional ids between states through {@code __transaction_state}: writes the next entry (acks=all),
 * installs it once committed, and drives a prepared transaction to its end (markers, then the Complete entry). Also
 * the coordinator's own aborts (fencing a previous producer instance, transaction timeouts).
 *
 * <p>Every method that takes a {@link TransactionMetadata} is called holding its monitor; the futures complete on the
 * thread that commits the write (possibly the caller's, inline) and take no monitor. Nothing here blocks.
 */
final class TransactionWriter {
    private static final Logger log = LoggerFactory.getLogger(TransactionWriter.class);

    private final TransactionShards shards;
    private final StateLog stateLog;
    private final TransactionMarkerSender markers;
    private final Retries retries;
    private final long retryBackoffMs;
    private final Time time;

    TransactionWriter(
            TransactionShards shards,
            StateLog stateLog,
            TransactionMarkerSender markers,
            Retries retries,
            long retryBackoffMs,
            Time time) {
        this.shards = shards;
        this.stateLog = stateLog;
        this.markers = markers;
        this.retries = retries;
        this.retryBackoffMs = retryBackoffMs;
        this.time = time;
    }

    /**
     * Writes {@code next} for {@code meta} (its pending state meanwhile is {@code pendingState}); installs it once the
     * write is committed and this broker still owns the shard. Completes with NONE or the error the client gets
     * (Kafka's mapping of append errors). A DEAD entry is written as a tombstone.
     */
    CompletableFuture<Errors> write(
            Shard shard, TransactionMetadata meta, TransactionEntry next, TransactionState pendingState) {
        CompletableFuture<Errors> done = new CompletableFuture<>();
        meta.lastWrite = done;
        meta.pending = pendingState;
        TransactionEntry stored = next.state() == TransactionState.DEAD ? null : next;
        CompletableFuture<Void> append;
        try {
            append = stateLog.append(
                    meta.partition,
                    List.of(TransactionRecords.record(meta.transactionalId, stored, time.milliseconds())));
        } catch (RuntimeException e) {
            append = CompletableFuture.failedFuture(e);
        }
        append.whenComplete((ignored, failure) -> {
            Errors error = failure != null
                    ? appendError(failure)
                    : shards.isCurrent(shard) ? Errors.NONE : Errors.NOT_COORDINATOR;
            if (error == Errors.NONE) {
                meta.entry = next; // before clearing pending: see TransactionMetadata
            }
            meta.pending = null;
            done.complete(error);
        });
        return done;
    }

    CompletableFuture<Errors> write(Shard shard, TransactionMetadata meta, TransactionEntry next) {
        return write(shard, meta, next, next.state());
    }

    /** Kafka's mapping of a failed coordinator append to the client's error. */
    static Errors appendError(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        Errors error = cause instanceof ApiException ? Errors.forException(cause) : Errors.UNKNOWN_SERVER_ERROR;
        return switch (error) {
            case UNKNOWN_TOPIC_OR_PARTITION,
                    NOT_ENOUGH_REPLICAS,
                    NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                    REQUEST_TIMED_OUT -> Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> error;
        };
    }

    /**
     * Writes {@code prepared} (PrepareCommit or PrepareAbort) and, once committed, its markers and the Complete entry.
     * The future answers the write of {@code prepared} only: the client does not wait for the markers.
     */
    CompletableFuture<Errors> prepare(
            Shard shard, TransactionMetadata meta, TransactionEntry prepared, TransactionState pendingState) {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        meta.ended = ended;
        return write(shard, meta, prepared, pendingState).thenApply(error -> {
            if (error == Errors.NONE) {
                sendMarkers(shard, meta, prepared);
            } else {
                ended.complete(null);
            }
            return error;
        });
    }

    /**
     * Aborts the ongoing transaction of {@code meta} on the coordinator's own initiative (a new producer instance
     * fences the old one, or the transaction timed out): PrepareAbort at a bumped epoch, so the old instance is fenced
     * from then on, then markers and CompleteAbort.
     */
    CompletableFuture<Errors> abortOngoing(Shard shard, TransactionMetadata meta) {
        TransactionEntry fenced = TransactionTransitions.fence(meta.entry, time.milliseconds());
        return prepare(shard, meta, fenced, TransactionState.PREPARE_EPOCH_FENCE);
    }

    /**
     * Sends the markers of a prepared transaction, then writes its Complete entry (also after a coordinator load). The
     * completion runs through {@link Retries}, never on the thread that answered the last marker, which may hold
     * another id's monitor.
     */
    void sendMarkers(Shard shard, TransactionMetadata meta, TransactionEntry prepared) {
        markers.send(
                new TransactionMarkerSender.Markers(
                        meta.transactionalId,
                        prepared.producerId(),
                        prepared.producerEpoch(),
                        prepared.state() == TransactionState.PREPARE_COMMIT,
                        shard.coordinatorEpoch,
                        prepared.partitions()),
                () -> shards.isCurrent(shard),
                () -> retries.after(0, () -> complete(shard, meta, prepared)));
    }

    private void complete(Shard shard, TransactionMetadata meta, TransactionEntry prepared) {
        synchronized (meta) {
            if (!shards.isCurrent(shard) || meta.entry != prepared) {
                return;
            }
            if (meta.pending != null) {
                retryComplete(shard, meta, prepared);
                return;
            }
            CompletableFuture<Void> ended = meta.ended;
            write(shard, meta, TransactionTransitions.complete(prepared, time.milliseconds()))
                    .thenAccept(error -> {
                        if (error == Errors.NONE) {
                            ended.complete(null);
                        } else {
                            log.debug("Completing {} failed with {}; retrying", meta.transactionalId, error);
                            retryComplete(shard, meta, prepared);
                        }
                    });
        }
    }

    private void retryComplete(Shard shard, TransactionMetadata meta, TransactionEntry prepared) {
        if (!shards.isCurrent(shard)) {
            return;
        }
        retries.after(retryBackoffMs, () -> complete(shard, meta, prepared));
    }
}
