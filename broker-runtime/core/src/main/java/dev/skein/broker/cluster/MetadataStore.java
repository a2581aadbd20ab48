package dev.skein.broker.cluster;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * Skein's cluster metadata in ZooKeeper: cluster id, broker registrations, topics, partitions and topic configs, in the
 * classic Kafka znode layout ({@link ZkPaths}) and JSON ({@link ZkJson}), so Kafka's ZooKeeper tools read what Skein
 * writes and the other way round. A façade over four parts, each usable on its own:
 *
 * <ul>
 *   <li>{@link ZkSession}: the ZooKeeper session (its health is all that is visible outside this package);
 *   <li>{@link BrokerRegistrar}: cluster id, this broker's registration and re-registration, controlled shutdown;
 *   <li>{@link MetadataWriter}: topic, partition, config, ISR and admin-request writes;
 *   <li>{@link MetadataView}: read-only topic, partition and broker reads from the watched cache.
 * </ul>
 *
 * <p><b>Reads</b> ({@link #topic}, {@link #topics}, {@link #liveBrokers}) are served from an in-memory cache kept
 * current by ZooKeeper watches and never touch ZooKeeper. <b>Writes</b> go to ZooKeeper (a topic's znodes in one
 * transaction) and return only once the cache shows them, so a thread that wrote sees its own write; a write that
 * ZooKeeper acknowledged but the cache has not shown within the session timeout fails with
 * {@link org.apache.kafka.common.errors.TimeoutException}. Writes are durable in ZooKeeper when they return.
 *
 * <p><b>Threads:</b> all methods are thread-safe. {@link MetadataListener}s are called on the single metadata event
 * thread after the cache was updated; write methods must not be called from that thread (they throw
 * {@link IllegalStateException} rather than deadlock), nor from network or request threads (they block on
 * ZooKeeper). Write methods throw {@link KafkaException} when ZooKeeper fails in a way not listed on the method.
 */
public final class MetadataStore implements AutoCloseable {
    private final ZkSession session;
    private final MetadataWatcher watcher;
    private final MetadataView view;
    private final BrokerRegistrar registrar;
    private final MetadataWriter writer;

    private MetadataStore(ZkSession session, MetadataWatcher watcher, MetadataView view, BrokerRegistrar registrar) {
        this.session = session;
        this.watcher = watcher;
        this.view = view;
        this.registrar = registrar;
        this.writer = new MetadataWriter(session, view);
    }

    /** {@link #connect(String, int, Time)} with the system clock. */
    public static MetadataStore connect(String connectString, int sessionTimeoutMs)
            throws IOException, InterruptedException {
        return connect(connectString, sessionTimeoutMs, Time.SYSTEM);
    }

    /**
     * Opens a ZooKeeper session, creates the persistent parent znodes if missing and loads the cache.
     *
     * @throws IOException if ZooKeeper is not reachable (or the metadata does not load) within {@code sessionTimeoutMs}
     */
    public static MetadataStore connect(String connectString, int sessionTimeoutMs, Time time)
            throws IOException, InterruptedException {
        ZkSession session = ZkSession.open(connectString, sessionTimeoutMs);
        try {
            MetadataCache cache = new MetadataCache();
            MetadataWatcher watcher = MetadataWatcher.start(session.client(), cache, sessionTimeoutMs);
            MetadataView view = new MetadataView(cache, watcher, time, sessionTimeoutMs);
            return new MetadataStore(session, watcher, view, new BrokerRegistrar(session, view, time));
        } catch (IOException | InterruptedException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** The ZooKeeper session: its connection state, for health checks and for pausing work while it is away. */
    public ZkSession session() {
        return session;
    }

    /** The read-only cache view, for code that only reads metadata. */
    public MetadataView view() {
        return view;
    }

    /** The cluster id, registration and controlled-shutdown part. */
    public BrokerRegistrar registrar() {
        return registrar;
    }

    /** The topic, config, ISR and admin-request writer. */
    public MetadataWriter writer() {
        return writer;
    }

    /** A producer id allocator on this store's session ({@code /latest_producer_id_block}). */
    public ProducerIdBlocks producerIdBlocks(int brokerId) {
        return new ProducerIdBlocks(session.client(), brokerId);
    }

    /** See {@link BrokerRegistrar#clusterId}. */
    public String clusterId(String proposedIfAbsent) throws InterruptedException {
        return registrar.clusterId(proposedIfAbsent);
    }

    /** See {@link BrokerRegistrar#registerBroker}. */
    public void registerBroker(BrokerRegistration broker) throws InterruptedException {
        registrar.registerBroker(broker);
    }

    /** See {@link BrokerRegistrar#requestControlledShutdown}. */
    public boolean requestControlledShutdown(int brokerId, long timeoutMs) throws InterruptedException {
        return registrar.requestControlledShutdown(brokerId, timeoutMs);
    }

    /** See {@link MetadataWriter#updateIsr}. */
    public boolean updateIsr(TopicPartition tp, PartitionState current, List<Integer> isr) throws InterruptedException {
        return writer.updateIsr(tp, current, isr);
    }

    /** See {@link MetadataWriter#requestPreferredLeaderElection}. */
    public boolean requestPreferredLeaderElection(Collection<TopicPartition> partitions) throws InterruptedException {
        return writer.requestPreferredLeaderElection(partitions);
    }

    /** See {@link MetadataWriter#requestReassignments}. */
    public Set<TopicPartition> requestReassignments(Map<TopicPartition, Optional<List<Integer>>> changes)
            throws InterruptedException {
        return writer.requestReassignments(changes);
    }

    /** See {@link MetadataWriter#reassignments}. */
    public Map<TopicPartition, List<Integer>> reassignments() throws InterruptedException {
        return writer.reassignments();
    }

    /** See {@link MetadataWriter#createTopic}. */
    public TopicDescription createTopic(
            String name, int partitions, short replicationFactor, Map<String, String> configs)
            throws InterruptedException {
        return writer.createTopic(name, partitions, replicationFactor, configs);
    }

    /** See {@link MetadataWriter#deleteTopic(String, long)}. */
    public boolean deleteTopic(String name, long timeoutMs) throws InterruptedException {
        return writer.deleteTopic(name, timeoutMs);
    }

    /** See {@link MetadataWriter#deleteTopic(String)}. */
    public void deleteTopic(String name) throws InterruptedException {
        writer.deleteTopic(name);
    }

    /** See {@link MetadataWriter#createPartitions}. */
    public void createPartitions(String name, int newTotalCount) throws InterruptedException {
        writer.createPartitions(name, newTotalCount);
    }

    /** See {@link MetadataWriter#setTopicConfig}. */
    public void setTopicConfig(String name, Map<String, String> overrides) throws InterruptedException {
        writer.setTopicConfig(name, overrides);
    }

    /** See {@link MetadataView#awaitMetadata}. */
    public boolean awaitMetadata(Supplier<Boolean> condition, long timeoutMs) throws InterruptedException {
        return view.awaitMetadata(condition, timeoutMs);
    }

    /** Live brokers sorted by id, from the cache. */
    public List<BrokerRegistration> liveBrokers() {
        return view.liveBrokers();
    }

    /** The topic from the cache. */
    public Optional<TopicDescription> topic(String name) {
        return view.topic(name);
    }

    /** The topic with this id from the cache. */
    public Optional<TopicDescription> topic(Uuid id) {
        return view.topic(id);
    }

    /** All topics from the cache, sorted by name. */
    public Collection<TopicDescription> topics() {
        return view.topics();
    }

    /** Topic id to name for every known topic: a live read-only view, cheap enough for every fetch request. */
    public Map<Uuid, String> topicNamesById() {
        return view.topicNamesById();
    }

    /** Adds a listener for changes made from now on; see {@link MetadataListener} for the threading contract. */
    public void addListener(MetadataListener listener) {
        view.addListener(listener);
    }

    /**
     * Stops watching and closes the ZooKeeper session, which removes this broker's registration at once.
     */
    @Override
    public void close() throws InterruptedException {
        registrar.close();
        try {
            watcher.close();
        } finally {
            session.close();
        }
    }
}
