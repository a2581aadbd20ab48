package dev.skein.broker.it;

import dev.skein.broker.txn.TransactionVerifier;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Test double of the transaction coordinator's {@link TransactionVerifier}: answers {@link #answer} (NONE unless a
 * test changes it), or leaves the answer pending while {@link #hold} is set, and records every question asked.
 */
final class ScriptedVerifier implements TransactionVerifier {
    /** One question a partition leader asked. */
    record Call(String transactionalId, long producerId, short producerEpoch, TopicPartition partition, boolean add) {}

    final List<Call> calls = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<Errors>> held = new CopyOnWriteArrayList<>();
    volatile Errors answer = Errors.NONE;
    volatile boolean hold;

    @Override
    public CompletableFuture<Errors> verify(
            String transactionalId, long producerId, short producerEpoch, TopicPartition partition, boolean add) {
        calls.add(new Call(transactionalId, producerId, producerEpoch, partition, add));
        if (hold) {
            CompletableFuture<Errors> pending = new CompletableFuture<>();
            held.add(pending);
            return pending;
        }
        return CompletableFuture.completedFuture(answer);
    }
}
