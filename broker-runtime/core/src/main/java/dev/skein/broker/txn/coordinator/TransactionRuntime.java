package dev.skein.broker.txn.coordinator;

import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.cluster.ProducerIdBlocks;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.partition.PartitionRegistry;
import dev.skein.broker.txn.TransactionVerifier;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Time;

/**
 * A broker's transaction coordinator with what it runs on: its own thread (partition loads, producer ids from
 * ZooKeeper, marker and completion retries, the timeout and expiration checks) and its inter-broker client
 * (WriteTxnMarkers to partition leaders, AddPartitionsToTxn verification to other coordinators), plus the
 * {@link TransactionVerifier} this broker's partition leaders ask (KIP-890 part 1). {@link #start} registers for
 * {@code __transaction_state} leadership, so call it before the partition registry loads its partitions;
 * {@link #close} stops the thread and the client.
 */
public final class TransactionRuntime implements AutoCloseable {

    private final TransactionCoordinator coordinator;
    private final TransactionVerifier verifier;
    private final ScheduledThreadPoolExecutor thread;
    private final NetworkBrokerClient client;

    private TransactionRuntime(
            TransactionCoordinator coordinator,
            TransactionVerifier verifier,
            ScheduledThreadPoolExecutor thread,
            NetworkBrokerClient client) {
        this.coordinator = coordinator;
        this.verifier = verifier;
        this.thread = thread;
        this.client = client;
    }

    /** @param requestTimeoutMs connect and read timeout of inter-broker requests */
    public static TransactionRuntime start(
            TransactionConfig config,
            int brokerId,
            int requestTimeoutMs,
            MetadataStore metadata,
            PartitionRegistry partitions,
            ProducerIdBlocks producerIds,
            Time time) {
        AtomicInteger threads = new AtomicInteger();
        ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "skein-txn-coordinator-" + brokerId + "-" + threads.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        NetworkBrokerClient client = new NetworkBrokerClient(
                id -> metadata.liveBrokers().stream()
                        .filter(b -> b.id() == id)
                        .findFirst()
                        .map(b -> new NetworkBrokerClient.Address(b.host(), b.port()))
                        .orElse(null),
                requestTimeoutMs,
                "skein-broker-" + brokerId + "-txn");
        TransactionMarkerSender markers = new TransactionMarkerSender(
                client, tp -> leaderOf(metadata, tp), Retries.on(thread), TransactionCoordinator.RETRY_BACKOFF_MS);
        TransactionCoordinator coordinator = TransactionCoordinator.create(
                config,
                partitions,
                () -> metadata.topic(Topic.TRANSACTION_STATE_TOPIC_NAME)
                        .map(TopicDescription::partitionCount)
                        .orElse(config.stateLogPartitions()),
                () -> CompletableFuture.supplyAsync(producerIds::nextProducerId, thread),
                markers,
                thread,
                time);
        TransactionVerifier verifier = new TransactionVerification(
                coordinator,
                p -> leaderOf(metadata, new TopicPartition(Topic.TRANSACTION_STATE_TOPIC_NAME, p)),
                brokerId,
                client);
        return new TransactionRuntime(coordinator, verifier, thread, client);
    }

    /** The leader of {@code tp}: its broker id, {@link MarkerTarget#NO_LEADER}, or {@link MarkerTarget#GONE}. */
    static int leaderOf(MetadataStore metadata, TopicPartition tp) {
        Optional<TopicDescription> topic = metadata.topic(tp.topic());
        if (topic.isEmpty()) {
            return MarkerTarget.GONE;
        }
        PartitionState state = topic.get().partitions().get(tp.partition());
        if (state == null) {
            return MarkerTarget.GONE;
        }
        return state.leader() < 0 ? MarkerTarget.NO_LEADER : state.leader();
    }

    public TransactionCoordinator coordinator() {
        return coordinator;
    }

    public TransactionVerifier verifier() {
        return verifier;
    }

    @Override
    public void close() throws InterruptedException {
        thread.shutdownNow();
        thread.awaitTermination(10, TimeUnit.SECONDS);
        client.close();
    }
}
