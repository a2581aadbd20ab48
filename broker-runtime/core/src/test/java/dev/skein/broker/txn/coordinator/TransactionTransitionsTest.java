package dev.skein.broker.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.txn.coordinator.TransactionTransitions.Action;
import dev.skein.broker.txn.coordinator.TransactionTransitions.Decision;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Kafka's InitProducerId, AddPartitionsToTxn and EndTxn rules as pure transitions. */
class TransactionTransitionsTest {
    private static final long NOW = 1_000;
    private static final TopicPartition P0 = new TopicPartition("data", 0);

    private static TransactionEntry entry(long pid, short epoch, TransactionState state) {
        return new TransactionEntry(pid, -1, epoch, (short) -1, 5000, state, Set.of(), -1, 0);
    }

    @Test
    void freshIdStartsAtEpochZero() {
        Decision d =
                TransactionTransitions.init(TransactionTransitions.fresh(5, 5000, NOW), 5000, -1, (short) -1, -1, NOW);
        assertThat(d.action()).isEqualTo(Action.WRITE);
        assertThat(d.next().producerId()).isEqualTo(5);
        assertThat(d.next().producerEpoch()).isZero();
        assertThat(d.next().state()).isEqualTo(TransactionState.EMPTY);
    }

    @Test
    void exhaustedEpochRotatesToANewProducerIdRememberingTheOldOne() {
        TransactionEntry exhausted = entry(5, TransactionTransitions.MAX_EPOCH, TransactionState.COMPLETE_COMMIT);
        assertThat(TransactionTransitions.init(exhausted, 5000, -1, (short) -1, -1, NOW)
                        .action())
                .isEqualTo(Action.NEED_PRODUCER_ID);

        Decision d = TransactionTransitions.init(exhausted, 5000, -1, (short) -1, 77, NOW);

        assertThat(d.next().producerId()).isEqualTo(77);
        assertThat(d.next().producerEpoch()).isZero();
        assertThat(d.next().previousProducerId()).isEqualTo(5);
    }

    @Test
    void kip360RetryOfALostBumpGetsTheSameEpochAndAnOlderEpochIsFenced() {
        TransactionEntry atThree = entry(5, (short) 3, TransactionState.EMPTY);
        Decision bumped = TransactionTransitions.init(atThree, 5000, 5, (short) 3, -1, NOW);
        assertThat(bumped.next().producerEpoch()).isEqualTo((short) 4);

        Decision retried = TransactionTransitions.init(bumped.next(), 5000, 5, (short) 3, -1, NOW);
        assertThat(retried.next().producerEpoch()).isEqualTo((short) 4);

        assertThat(TransactionTransitions.init(bumped.next(), 5000, 5, (short) 2, -1, NOW)
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(TransactionTransitions.init(bumped.next(), 5000, 6, (short) 4, -1, NOW)
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void plainBumpDoesNotLetAZombieClaimItWasARetry() {
        TransactionEntry atFour = TransactionTransitions.init(
                        entry(5, (short) 3, TransactionState.EMPTY), 5000, -1, (short) -1, -1, NOW)
                .next();
        assertThat(TransactionTransitions.init(atFour, 5000, 5, (short) 3, -1, NOW)
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void ongoingTransactionIsFencedAtTheNextEpochAndTheClientRetries() {
        TransactionEntry ongoing = TransactionTransitions.addPartitions(
                        entry(5, (short) 3, TransactionState.EMPTY),
                        5,
                        (short) 3,
                        Set.of(P0),
                        TransactionEntry.LEGACY_CLIENT,
                        NOW)
                .next();
        Decision d = TransactionTransitions.init(ongoing, 5000, -1, (short) -1, -1, NOW);
        assertThat(d.action()).isEqualTo(Action.FENCE);
        assertThat(d.error()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(d.next().state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(d.next().producerEpoch()).isEqualTo((short) 4);
        assertThat(d.next().partitions()).containsExactly(P0);
    }

    @Test
    void endRulesFollowKafkaForEveryState() {
        for (TransactionState state : TransactionState.values()) {
            TransactionEntry e = entry(5, (short) 1, state);
            Errors commit =
                    TransactionTransitions.end(e, 5, (short) 1, true, NOW).error();
            Errors abort =
                    TransactionTransitions.end(e, 5, (short) 1, false, NOW).error();
            switch (state) {
                case ONGOING -> assertThat(commit).isEqualTo(Errors.NONE);
                case COMPLETE_COMMIT -> assertThat(new Errors[] {commit, abort})
                        .containsExactly(Errors.NONE, Errors.INVALID_TXN_STATE);
                case COMPLETE_ABORT -> assertThat(new Errors[] {commit, abort})
                        .containsExactly(Errors.INVALID_TXN_STATE, Errors.NONE);
                case PREPARE_COMMIT -> assertThat(new Errors[] {commit, abort})
                        .containsExactly(Errors.CONCURRENT_TRANSACTIONS, Errors.INVALID_TXN_STATE);
                case PREPARE_ABORT -> assertThat(new Errors[] {commit, abort})
                        .containsExactly(Errors.INVALID_TXN_STATE, Errors.CONCURRENT_TRANSACTIONS);
                default -> assertThat(new Errors[] {commit, abort})
                        .containsExactly(Errors.INVALID_TXN_STATE, Errors.INVALID_TXN_STATE);
            }
        }
    }

    /** Random request sequences (seeded): the epoch never goes down and a fenced epoch never succeeds again. */
    @Test
    void randomRequestsNeverLowerTheEpochNorRevivePastEpochs() {
        long seed = 20261205L;
        Random random = new Random(seed);
        TransactionEntry e = TransactionTransitions.fresh(1, 5000, 0);
        for (int step = 0; step < 10_000; step++) {
            short epoch = (short) (e.producerEpoch() - random.nextInt(2));
            Decision d =
                    switch (random.nextInt(4)) {
                        case 0 -> TransactionTransitions.init(e, 5000, -1, (short) -1, 100 + step, step);
                        case 1 -> TransactionTransitions.addPartitions(
                                e, e.producerId(), epoch, Set.of(P0), TransactionEntry.LEGACY_CLIENT, step);
                        case 2 -> TransactionTransitions.end(e, e.producerId(), epoch, random.nextBoolean(), step);
                        default -> e.state().isPrepare()
                                ? Decision.write(TransactionTransitions.complete(e, step))
                                : Decision.answer(Errors.NONE);
                    };
            if (epoch < e.producerEpoch()
                    && d.action() == Action.WRITE
                    && d.next().producerEpoch() == epoch) {
                throw new AssertionError("seed " + seed + " step " + step + ": a fenced epoch succeeded");
            }
            if (d.action() == Action.WRITE || d.action() == Action.FENCE) {
                assertThat(d.next().producerId() != e.producerId() || d.next().producerEpoch() >= e.producerEpoch())
                        .as("seed %d step %d: the epoch went down", seed, step)
                        .isTrue();
                e = d.next();
            }
        }
    }
}
