package dev.skein.broker.txn.coordinator;

import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.cluster.ProducerIdBlocks;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.partition.PartitionRegistry;
import dev.skein.broker.txn.TransactionVerifier;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Time;

/**
 * A broker's transaction coordinator with what it runs on: its own thread (partition loads, producer ids from
 * ZooKeeper, marker and completion retries, the timeout and expiration checks) and its inter-broker client
 * (WriteTxnMarkers to partition leaders, AddPartitionsToTxn verification to other coordinators), plus the
 * {@link TransactionVerifier} this broker's partition leaders ask (KIP-890 part 1). Markers for this broker's own
 * partitions skip the network once {@link #deliverMarkersLocally} names its WriteTxnMarkers side; a marker thread sends
 * the batches that queued while a destination's previous request was in flight. {@link #start} registers for
 * {@code __transaction_state} leadership, so call it, and {@link #deliverMarkersLocally}, before the partition registry
 * loads its partitions; {@link #close} stops the threads and the client.
 */
public final class TransactionRuntime implements AutoCloseable {

    private final TransactionCoordinator coordinator;
    private final TransactionVerifier verifier;
    private final ScheduledThreadPoolExecutor thread;
    private final ThreadPoolExecutor markerThread;
    private final NetworkBrokerClient client;
    private final LocalFirstBrokerClient markerClient;

    private TransactionRuntime(
            TransactionCoordinator coordinator,
            TransactionVerifier verifier,
            ScheduledThreadPoolExecutor thread,
            ThreadPoolExecutor markerThread,
            NetworkBrokerClient client,
            LocalFirstBrokerClient markerClient) {
        this.coordinator = coordinator;
        this.verifier = verifier;
        this.thread = thread;
        this.markerThread = markerThread;
        this.client = client;
        this.markerClient = markerClient;
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
        ThreadPoolExecutor markerThread =
                new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "skein-txn-markers-" + brokerId);
                    t.setDaemon(true);
                    return t;
                });
        LocalFirstBrokerClient markerClient = new LocalFirstBrokerClient(brokerId, client);
        TransactionMarkerSender markers = new TransactionMarkerSender(
                markerClient,
                tp -> leaderOf(metadata, tp),
                Retries.on(thread),
                TransactionCoordinator.RETRY_BACKOFF_MS,
                markerThread);
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
        return new TransactionRuntime(coordinator, verifier, thread, markerThread, client, markerClient);
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

    /** Writes the markers for this broker's own partitions with {@code writer}, not through its listener. */
    public void deliverMarkersLocally(LocalMarkerWriter writer) {
        markerClient.install(writer);
    }

    @Override
    public void close() throws InterruptedException {
        thread.shutdownNow();
        thread.awaitTermination(10, TimeUnit.SECONDS);
        markerThread.shutdownNow();
        markerThread.awaitTermination(10, TimeUnit.SECONDS);
        client.close();
    }
}
