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
                e.producerEpoch(),
                e.lastProducerEpoch(),
                timeoutMs,
                TransactionState.EMPTY,
                Set.of(),
                -1,
                now);
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

    /** AddPartitionsToTxn / AddOffsetsToTxn (client versions): join the partitions to the transaction. */
    static Decision addPartitions(
            TransactionEntry e, long producerId, short epoch, Set<TopicPartition> partitions, long now) {
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
        return Decision.write(e.withState(TransactionState.ONGOING, all, now));
    }

    /** EndTxn up to version 4 (no epoch bump): prepare the commit or abort, or answer a retry. */
    static Decision end(TransactionEntry e, long producerId, short epoch, boolean commit, long now) {
        Errors producer = checkProducer(e, producerId, epoch);
        if (producer != Errors.NONE) {
            return Decision.answer(producer);
        }
        return switch (e.state()) {
            case ONGOING -> Decision.write(e.withState(
                    commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT, e.partitions(), now));
            case COMPLETE_COMMIT -> Decision.answer(commit ? Errors.NONE : Errors.INVALID_TXN_STATE);
            case COMPLETE_ABORT -> Decision.answer(commit ? Errors.INVALID_TXN_STATE : Errors.NONE);
            case PREPARE_COMMIT -> Decision.answer(commit ? Errors.CONCURRENT_TRANSACTIONS : Errors.INVALID_TXN_STATE);
            case PREPARE_ABORT -> Decision.answer(commit ? Errors.INVALID_TXN_STATE : Errors.CONCURRENT_TRANSACTIONS);
            default -> Decision.answer(Errors.INVALID_TXN_STATE);
        };
    }

    /** The entry that completes a prepared transaction once its markers are written. */
    static TransactionEntry complete(TransactionEntry prepared, long now) {
        TransactionState done = prepared.state() == TransactionState.PREPARE_COMMIT
                ? TransactionState.COMPLETE_COMMIT
                : TransactionState.COMPLETE_ABORT;
        return prepared.withState(done, Set.of(), now);
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
