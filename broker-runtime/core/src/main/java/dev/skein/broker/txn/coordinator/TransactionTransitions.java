package dev.skein.broker.txn.coordinator;

import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Kafka's transaction state machine as pure functions: given a transactional id's committed entry and a request,
 * what to answer and which entry to write. No IO, no locks, no clock: the caller holds the id's lock, passes the time,
 * writes the entry and installs it once the write is committed.
 */
final class TransactionTransitions {
    /** The highest epoch a producer may use; at it a new producer id is handed out instead of a bump. */
    static final short MAX_EPOCH = Short.MAX_VALUE - 1;

    static final short NO_EPOCH = -1;

    private TransactionTransitions() {}

    /** What to do. */
    enum Action {
        /** Answer {@link Decision#error} and write nothing. */
        ANSWER,
        /** Write {@link Decision#next} and answer NONE once it is committed (with its producer id and epoch). */
        WRITE,
        /** InitProducerId over an ongoing transaction: write {@link Decision#next} (PrepareAbort at a bumped epoch). */
        FENCE,
        /** Call again with a fresh producer id: the epoch is exhausted. */
        NEED_PRODUCER_ID
    }

    record Decision(Action action, Errors error, TransactionEntry next) {
        static Decision answer(Errors error) {
            return new Decision(Action.ANSWER, error, null);
        }

        static Decision write(TransactionEntry next) {
            return new Decision(Action.WRITE, Errors.NONE, next);
        }
    }

    /** A new transactional id: Empty, no epoch yet (InitProducerId then bumps it to 0). */
    static TransactionEntry fresh(long producerId, int timeoutMs, long now) {
        return new TransactionEntry(
                producerId, -1, NO_EPOCH, NO_EPOCH, timeoutMs, TransactionState.EMPTY, Set.of(), -1, now);
    }

    /**
     * InitProducerId for an existing id (Kafka's rules): fenced when the request names a producer id/epoch (KIP-360)
     * that is neither the current one nor a retry of the last bump; an ongoing transaction is aborted at a bumped
     * epoch first (the client retries on CONCURRENT_TRANSACTIONS); an exhausted epoch takes a new producer id.
     *
     * @param expectedProducerId -1 unless the client sends its current producer id (KIP-360)
     * @param freshProducerId a producer id to rotate to, or -1 if none was fetched yet
     */
    static Decision init(
            TransactionEntry e,
            int timeoutMs,
            long expectedProducerId,
            short expectedEpoch,
            long freshProducerId,
            long now) {
        boolean expected = expectedProducerId >= 0;
        if (expected
                && e.producerEpoch() != NO_EPOCH
                && expectedProducerId != e.producerId()
                && !(expectedProducerId == e.previousProducerId() && expectedEpoch >= MAX_EPOCH)) {
            return Decision.answer(Errors.PRODUCER_FENCED);
        }
        switch (e.state()) {
            case PREPARE_COMMIT, PREPARE_ABORT, PREPARE_EPOCH_FENCE:
                return Decision.answer(Errors.CONCURRENT_TRANSACTIONS);
            case ONGOING:
                return new Decision(Action.FENCE, Errors.CONCURRENT_TRANSACTIONS, fence(e, now));
            case DEAD:
                return Decision.answer(Errors.CONCURRENT_TRANSACTIONS);
            default:
                break;
        }
        TransactionEntry withTimeout = new TransactionEntry(
                e.producerId(),
                e.previousProducerId(),
                -1,
                e.producerEpoch(),
                e.lastProducerEpoch(),
                timeoutMs,
                TransactionState.EMPTY,
                Set.of(),
                -1,
                now,
                e.clientTransactionVersion());
        if (e.producerEpoch() >= MAX_EPOCH && (!expected || expectedEpoch == e.producerEpoch())) {
            if (freshProducerId < 0) {
                return new Decision(Action.NEED_PRODUCER_ID, Errors.NONE, null);
            }
            short last = expected ? e.producerEpoch() : NO_EPOCH;
            return Decision.write(withTimeout.withProducer(freshProducerId, (short) 0, last, now));
        }
        short bumped = (short) (e.producerEpoch() + 1);
        if (!expected) {
            return Decision.write(withTimeout.withProducer(e.producerId(), bumped, NO_EPOCH, now));
        }
        if (e.producerEpoch() == NO_EPOCH || expectedEpoch == e.producerEpoch()) {
            return Decision.write(withTimeout.withProducer(e.producerId(), bumped, e.producerEpoch(), now));
        }
        if (expectedEpoch == e.lastProducerEpoch()) {
            return Decision.write(withTimeout); // the retry of a bump whose answer was lost: same epoch again
        }
        return Decision.answer(Errors.PRODUCER_FENCED);
    }

    /** The abort the coordinator writes for an ongoing transaction it ends itself: PrepareAbort at a bumped epoch. */
    static TransactionEntry fence(TransactionEntry e, long now) {
        short epoch = e.producerEpoch() >= MAX_EPOCH ? e.producerEpoch() : (short) (e.producerEpoch() + 1);
        return e.withProducer(e.producerId(), epoch, NO_EPOCH, now)
                .withState(TransactionState.PREPARE_ABORT, e.partitions(), now);
    }

    /** Errors a request naming a producer id and epoch gets before its state is looked at. */
    static Errors checkProducer(TransactionEntry e, long producerId, short epoch) {
        if (e.producerId() != producerId) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (e.producerEpoch() != epoch) {
            return Errors.PRODUCER_FENCED;
        }
        return Errors.NONE;
    }

    /**
     * AddPartitionsToTxn / AddOffsetsToTxn: join the partitions to the transaction. {@code clientVersion} is
     * {@link TransactionEntry#TV2_CLIENT} when a partition leader adds them for a KIP-890 part 2 client (produce v12+,
     * TxnOffsetCommit v5+), else {@link TransactionEntry#LEGACY_CLIENT}; the transaction remembers it.
     */
    static Decision addPartitions(
            TransactionEntry e,
            long producerId,
            short epoch,
            Set<TopicPartition> partitions,
            short clientVersion,
            long now) {
        Errors producer = checkProducer(e, producerId, epoch);
        if (producer != Errors.NONE) {
            return Decision.answer(producer);
        }
        switch (e.state()) {
            case PREPARE_COMMIT, PREPARE_ABORT, PREPARE_EPOCH_FENCE:
                return Decision.answer(Errors.CONCURRENT_TRANSACTIONS);
            case DEAD:
                return Decision.answer(Errors.INVALID_TXN_STATE);
            case ONGOING:
                if (e.partitions().containsAll(partitions)) {
                    return Decision.answer(Errors.NONE);
                }
                break;
            default:
                break;
        }
        Set<TopicPartition> all = new HashSet<>(e.state() == TransactionState.ONGOING ? e.partitions() : Set.of());
        all.addAll(partitions);
        return Decision.write(e.withClientVersion(clientVersion).withState(TransactionState.ONGOING, all, now));
    }

    /**
     * EndTxn up to version 4 (no epoch bump): prepare the commit or abort, or answer a retry. The transaction is then
     * one of a legacy client, whatever added its partitions (Kafka takes the client version from the EndTxn).
     */
    static Decision end(TransactionEntry e, long producerId, short epoch, boolean commit, long now) {
        Errors producer = checkProducer(e, producerId, epoch);
        if (producer != Errors.NONE) {
            return Decision.answer(producer);
        }
        return switch (e.state()) {
            case ONGOING -> Decision.write(e.withClientVersion(TransactionEntry.LEGACY_CLIENT)
                    .withState(
                            commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT,
                            e.partitions(),
                            now));
            case COMPLETE_COMMIT -> Decision.answer(commit ? Errors.NONE : Errors.INVALID_TXN_STATE);
            case COMPLETE_ABORT -> Decision.answer(commit ? Errors.INVALID_TXN_STATE : Errors.NONE);
            case PREPARE_COMMIT -> Decision.answer(commit ? Errors.CONCURRENT_TRANSACTIONS : Errors.INVALID_TXN_STATE);
            case PREPARE_ABORT -> Decision.answer(commit ? Errors.INVALID_TXN_STATE : Errors.CONCURRENT_TRANSACTIONS);
            default -> Decision.answer(Errors.INVALID_TXN_STATE);
        };
    }

    /**
     * EndTxn version 5+ ({@code transaction.version} 2, KIP-890 part 2): the transaction ends at a bumped epoch, so the
     * markers fence every late batch of it and the client continues at that epoch. Kafka's rules:
     *
     * <ul>
     *   <li>the request's epoch is the current one in Empty/Ongoing; in a Prepare or Complete state it may be one below
     *       the current (a retry of the EndTxn that bumped it, whose answer was lost), or, after an overflow, the
     *       previous producer id at the last epoch;
     *   <li>while the markers of the last end are written (PrepareCommit/PrepareAbort) every EndTxn answers
     *       CONCURRENT_TRANSACTIONS, before any other check (Kafka's pending transition): the client's next
     *       transaction, at the bumped epoch, may end before the previous one's markers are all written;
     *   <li>a retry answers NONE once complete (with the current id and epoch), INVALID_TXN_STATE when it asks for the
     *       other outcome;
     *   <li>an abort without a transaction (Empty, or Complete at the current epoch) still bumps the epoch, with no
     *       partitions; a commit without a transaction is INVALID_TXN_STATE;
     *   <li>when the bump would overflow, the prepared entry names a new producer id ({@code NEED_PRODUCER_ID} first),
     *       which {@link #complete} moves to at epoch 0; the markers carry the old id at the last epoch.
     * </ul>
     *
     * @param freshProducerId a producer id to move to, or -1 if none was fetched yet
     */
    static Decision endV2(
            TransactionEntry e, long producerId, short epoch, boolean commit, long freshProducerId, long now) {
        boolean retryOnOverflow = e.previousProducerId() == producerId && epoch == MAX_EPOCH && e.producerEpoch() == 0;
        boolean retryOnBump = e.producerEpoch() == epoch + 1;
        if (e.state() == TransactionState.PREPARE_COMMIT || e.state() == TransactionState.PREPARE_ABORT) {
            // The markers of the transaction just ended are still being written (Kafka's pending CompleteCommit or
            // CompleteAbort, checked before anything else): the client's next EndTxn, at the epoch that end bumped
            // to, or a retry of that end, tries again once the transaction is complete.
            return Decision.answer(Errors.CONCURRENT_TRANSACTIONS);
        }
        if (e.producerId() != producerId && !retryOnOverflow) {
            return Decision.answer(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        boolean validEpoch =
                switch (e.state()) {
                    case EMPTY, ONGOING, DEAD, PREPARE_EPOCH_FENCE, PREPARE_COMMIT, PREPARE_ABORT -> epoch
                            == e.producerEpoch();
                    case COMPLETE_COMMIT, COMPLETE_ABORT -> retryOnBump
                            || retryOnOverflow
                            || epoch == e.producerEpoch();
                };
        if (!validEpoch) {
            return Decision.answer(Errors.PRODUCER_FENCED);
        }
        boolean retry = retryOnBump || retryOnOverflow;
        return switch (e.state()) {
            case ONGOING -> prepareV2(
                    e, commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT, freshProducerId, now);
            case COMPLETE_COMMIT -> commit
                    ? Decision.answer(retry ? Errors.NONE : Errors.INVALID_TXN_STATE)
                    : retry
                            ? Decision.answer(Errors.INVALID_TXN_STATE)
                            : prepareV2(e, TransactionState.PREPARE_ABORT, freshProducerId, now);
            case COMPLETE_ABORT -> commit
                    ? Decision.answer(Errors.INVALID_TXN_STATE)
                    : retry
                            ? Decision.answer(Errors.NONE)
                            : prepareV2(e, TransactionState.PREPARE_ABORT, freshProducerId, now);
            case EMPTY -> commit
                    ? Decision.answer(Errors.INVALID_TXN_STATE)
                    : prepareV2(e, TransactionState.PREPARE_ABORT, freshProducerId, now);
            default -> Decision.answer(Errors.INVALID_TXN_STATE);
        };
    }

    /** PrepareCommit/PrepareAbort at the next epoch (and the next producer id when the epoch is exhausted). */
    private static Decision prepareV2(TransactionEntry e, TransactionState prepare, long freshProducerId, long now) {
        boolean exhausted = e.producerEpoch() >= MAX_EPOCH;
        if (exhausted && freshProducerId < 0) {
            return new Decision(Action.NEED_PRODUCER_ID, Errors.NONE, null);
        }
        boolean ongoing = e.state() == TransactionState.ONGOING;
        return Decision.write(new TransactionEntry(
                e.producerId(),
                e.previousProducerId(),
                exhausted ? freshProducerId : -1,
                (short) (e.producerEpoch() + 1),
                e.producerEpoch(),
                e.timeoutMs(),
                prepare,
                ongoing ? e.partitions() : Set.of(),
                ongoing ? e.startTimestampMs() : now,
                now,
                TransactionEntry.TV2_CLIENT));
    }

    /**
     * The entry that completes a prepared transaction once its markers are written. A {@code transaction.version} 2
     * transaction whose epoch bump overflowed moves to its next producer id at epoch 0 (the old id becomes the
     * previous one, which a retried EndTxn may still name).
     */
    static TransactionEntry complete(TransactionEntry prepared, long now) {
        TransactionState done = prepared.state() == TransactionState.PREPARE_COMMIT
                ? TransactionState.COMPLETE_COMMIT
                : TransactionState.COMPLETE_ABORT;
        TransactionEntry completed = prepared.withState(done, Set.of(), now);
        return prepared.nextProducerId() >= 0
                ? completed.withProducer(prepared.nextProducerId(), (short) 0, prepared.lastProducerEpoch(), now)
                : completed;
    }

    /**
     * KIP-890 part 1 verification: NONE when {@code partition} is in the ongoing transaction of this producer id and
     * epoch, else the coordinator's error (Kafka's AddPartitionsToTxn verifyOnly answers).
     */
    static Errors verify(TransactionEntry e, long producerId, short epoch, TopicPartition partition) {
        Errors producer = checkProducer(e, producerId, epoch);
        if (producer != Errors.NONE) {
            return producer;
        }
        if (e.state().isPrepare() || e.state() == TransactionState.PREPARE_EPOCH_FENCE) {
            return Errors.CONCURRENT_TRANSACTIONS;
        }
        return e.state() == TransactionState.ONGOING && e.partitions().contains(partition)
                ? Errors.NONE
                : Errors.INVALID_TXN_STATE;
    }
}
