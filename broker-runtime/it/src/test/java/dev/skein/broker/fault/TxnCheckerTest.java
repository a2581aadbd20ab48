package dev.skein.broker.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.fault.TxnWorkload.Outcome;
import dev.skein.broker.fault.TxnWorkload.Txn;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The transactional checker finds each kind of violation it claims to find, and passes a clean history. */
class TxnCheckerTest {
    private final TxnChecker checker = new TxnChecker("t", 3, "unused:9092");
    private final Map<String, Txn> txns = new HashMap<>();
    private final Map<String, TxnReader.Seen> seen = new HashMap<>();

    /** A transaction of {@code count} records; commit requested at nanoTime 100 unless it was never committed. */
    private Txn txn(String key, int count, Outcome outcome) {
        Txn txn = new Txn(key, 0, count, Set.of(0), 0);
        txn.outcome = outcome;
        if (outcome != Outcome.ABORTED) {
            txn.commitRequestedNanos = 100;
        }
        txns.put(key, txn);
        return txn;
    }

    /** Both readers read the value at 0@offset (so it is in the log and visible). */
    private void visible(String value, long offset) {
        checker.committed(value, "0@" + offset);
        checker.uncommitted(value);
    }

    @Test
    void cleanHistoryHasNoProblems() {
        txn("p0-0", 2, Outcome.COMMITTED);
        txn("p0-1", 1, Outcome.ABORTED);
        txn("p0-2", 1, Outcome.AMBIGUOUS);
        txn("p0-3", 1, Outcome.AMBIGUOUS);
        visible("p0-0:0/2", 0);
        visible("p0-0:1/2", 1);
        checker.uncommitted("p0-1:0/1");
        visible("p0-2:0/1", 3);
        seen.put("p0-0:1/2", new TxnReader.Seen(0, 1, 150));
        checker.judge(txns, seen);
        assertThat(checker.problems()).isEmpty();
        assertThat(checker.abortedRecordsInLog()).isEqualTo(1);
        assertThat(checker.ambiguousCommitted()).isEqualTo(1);
        assertThat(checker.ambiguousAborted()).isEqualTo(1);
    }

    @Test
    void findsACommittedTransactionWithARecordMissingOrTwice() {
        txn("p0-0", 2, Outcome.COMMITTED);
        txn("p0-1", 1, Outcome.COMMITTED);
        visible("p0-0:0/2", 0);
        visible("p0-1:0/1", 1);
        visible("p0-1:0/1", 2);
        checker.judge(txns, seen);
        assertThat(checker.problems())
                .anyMatch(p -> p.contains("p0-0 committed") && p.contains("reads 1 of its 2"))
                .anyMatch(p -> p.contains("reads p0-1:0/1 2 times"));
    }

    @Test
    void findsAnAbortedRecordVisibleAtTheEndOrDuringTheRun() {
        txn("p0-0", 1, Outcome.ABORTED);
        txn("p0-1", 1, Outcome.ABORTED);
        visible("p0-0:0/1", 0);
        seen.put("p0-1:0/1", new TxnReader.Seen(0, 1, 150));
        checker.judge(txns, seen);
        assertThat(checker.problems())
                .anyMatch(p -> p.contains("p0-0 aborted"))
                .anyMatch(p -> p.contains("p0-1:0/1") && p.contains("of an aborted transaction"));
    }

    @Test
    void findsAnAmbiguousTransactionVisibleInPart() {
        txn("p0-0", 2, Outcome.AMBIGUOUS);
        visible("p0-0:0/2", 0);
        checker.judge(txns, seen);
        assertThat(checker.problems()).anyMatch(p -> p.contains("p0-0") && p.contains("visible in part: 1 of its 2"));
    }

    @Test
    void findsARecordReadBeforeItsCommitWasRequestedOrThatChangedLater() {
        txn("p0-0", 1, Outcome.COMMITTED);
        txn("p0-1", 1, Outcome.COMMITTED);
        visible("p0-0:0/1", 0);
        visible("p0-1:0/1", 1);
        seen.put("p0-0:0/1", new TxnReader.Seen(0, 0, 99));
        seen.put("p0-1:0/1", new TxnReader.Seen(0, 5, 150));
        checker.judge(txns, seen);
        assertThat(checker.problems())
                .anyMatch(p -> p.contains("p0-0:0/1") && p.contains("before its transaction's commit was requested"))
                .anyMatch(p -> p.contains("p0-1:0/1 at 0@5") && p.contains("now reads null"));
    }

    @Test
    void findsAValueOfNoTransaction() {
        visible("stranger:0/1", 0);
        checker.judge(txns, seen);
        assertThat(checker.problems()).anyMatch(p -> p.contains("of no transaction"));
    }
}
