package dev.skein.broker.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link MetadataCache} in step with ZooKeeper and tells {@link MetadataListener}s about changes.
 *
 * <p>Two Curator caches mirror {@code /brokers} and {@code /config/topics}. Every change they report is handled on one
 * dedicated thread ({@value #EVENT_THREAD_NAME}): the affected topic (or the broker list) is rebuilt from the mirrored
 * znodes, stored in the {@link MetadataCache}, and then the listeners are called, on that same thread. A topic is only
 * published once its assignment and the state znode of every assigned partition are present, so readers never see a
 * topic that is half created or half grown; while it is being deleted the last complete version stays visible until
 * the assignment znode goes.
 *
 * <p>A znode that does not parse is logged with its path and left out (a topic keeps its last good version): there is
 * no caller to report it to, and one bad znode written by a foreign tool must not stop updates for all other topics.
 */
final class MetadataWatcher implements AutoCloseable {
    static final String EVENT_THREAD_NAME = "skein-metadata-events";
    private static final Logger log = LoggerFactory.getLogger(MetadataWatcher.class);

    private final CuratorCache brokersMirror;
    private final CuratorCache configMirror;
    private final ExecutorService events;
    private final MetadataCache cache;
    private final AtomicReference<Thread> eventThread;
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();

    private MetadataWatcher(
            CuratorCache brokersMirror,
            CuratorCache configMirror,
            ExecutorService events,
            AtomicReference<Thread> eventThread,
            MetadataCache cache) {
        this.brokersMirror = brokersMirror;
        this.configMirror = configMirror;
        this.events = events;
        this.eventThread = eventThread;
        this.cache = cache;
    }

    /**
     * Starts mirroring and returns once the initial contents are loaded into {@code cache}.
     *
     * @throws IOException if the initial load does not finish within {@code timeoutMs}
     */
    static MetadataWatcher start(CuratorFramework client, MetadataCache cache, long timeoutMs)
            throws IOException, InterruptedException {
        AtomicReference<Thread> eventThread = new AtomicReference<>();
        ExecutorService events = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, EVENT_THREAD_NAME);
            thread.setDaemon(true);
            eventThread.set(thread);
            return thread;
        });
        MetadataWatcher watcher = new MetadataWatcher(
                CuratorCache.build(client, ZkPaths.BROKERS),
                CuratorCache.build(client, ZkPaths.CONFIG_TOPICS),
                events,
                eventThread,
                cache);
        CountDownLatch loaded = new CountDownLatch(2);
        for (CuratorCache mirror : List.of(watcher.brokersMirror, watcher.configMirror)) {
            CuratorCacheListener listener = CuratorCacheListener.builder()
                    .forAll((type, oldData, data) -> watcher.onChange(data != null ? data : oldData))
                    .forInitialized(loaded::countDown)
                    .build();
            mirror.listenable().addListener(listener, events);
            mirror.start();
        }
        try {
            if (!loaded.await(timeoutMs, TimeUnit.MILLISECONDS)) {
                throw new IOException("ZooKeeper metadata did not load within " + timeoutMs + " ms");
            }
        } catch (IOException | InterruptedException e) {
            watcher.close();
            throw e;
        }
        return watcher;
    }

    void addListener(MetadataListener listener) {
        listeners.add(listener);
    }

    /** Whether the caller runs on this watcher's event thread (where waiting for the cache would deadlock). */
    boolean isEventThread() {
        return Thread.currentThread() == eventThread.get();
    }

    private void onChange(ChildData node) {
        String path = node.getPath();
        Optional<String> topic = ZkPaths.topicOf(path);
        if (topic.isPresent()) {
            refreshTopic(topic.get());
        } else if (ZkPaths.brokerIdOf(path).isPresent()) {
            refreshBrokers();
        }
    }

    private void refreshTopic(String name) {
        Optional<MetadataCache.TopicEntry> previous = cache.entry(name);
        Optional<ChildData> assignmentNode = brokersMirror.get(ZkPaths.topic(name));
        if (assignmentNode.isEmpty()) {
            if (previous.isPresent()) {
                cache.removeTopic(name);
                Uuid id = previous.get().description().topicId();
                notifyListeners(listener -> listener.topicDeleted(name, id));
            }
            return;
        }
        Optional<MetadataCache.TopicEntry> rebuilt;
        try {
            rebuilt = rebuild(name, assignmentNode.get());
        } catch (IllegalArgumentException e) {
            log.error("Ignoring malformed metadata of topic '{}': {}", name, e.getMessage());
            return;
        }
        if (rebuilt.isEmpty() || rebuilt.equals(previous)) {
            return;
        }
        MetadataCache.TopicEntry entry = rebuilt.get();
        TopicDescription topic = entry.description();
        if (previous.isPresent() && !previous.get().description().topicId().equals(topic.topicId())) {
            // Deleted and re-created between two of our reads: report both.
            cache.removeTopic(name);
            Uuid oldId = previous.get().description().topicId();
            notifyListeners(listener -> listener.topicDeleted(name, oldId));
        }
        cache.putTopic(entry);
        notifyListeners(listener -> listener.topicChanged(topic));
    }

    /** The topic from the mirrored znodes, or empty while a partition state znode is still missing. */
    private Optional<MetadataCache.TopicEntry> rebuild(String name, ChildData assignmentNode) {
        ZkJson.TopicAssignment assignment = parse(assignmentNode, ZkJson::parseTopicAssignment);
        Map<Integer, PartitionState> partitions = new TreeMap<>();
        for (Map.Entry<Integer, List<Integer>> replicas : assignment.replicas().entrySet()) {
            int partition = replicas.getKey();
            Optional<ChildData> stateNode = brokersMirror.get(ZkPaths.partitionState(name, partition));
            if (stateNode.isEmpty()) {
                return Optional.empty();
            }
            ZkJson.LeaderAndIsr state = parse(stateNode.get(), ZkJson::parsePartitionState);
            partitions.put(
                    partition,
                    new PartitionState(
                            partition,
                            replicas.getValue(),
                            state.leader(),
                            state.leaderEpoch(),
                            state.isr(),
                            stateNode.get().getStat().getVersion(),
                            state.controllerEpoch()));
        }
        Optional<ChildData> configNode = configMirror.get(ZkPaths.topicConfig(name));
        Map<String, String> configs =
                configNode.isPresent() ? parse(configNode.get(), ZkJson::parseTopicConfig) : Map.of();
        int configVersion = configNode.map(node -> node.getStat().getVersion()).orElse(-1);
        TopicDescription topic = new TopicDescription(name, assignment.topicId(), partitions, configs);
        return Optional.of(
                new MetadataCache.TopicEntry(topic, assignmentNode.getStat().getVersion(), configVersion));
    }

    private void refreshBrokers() {
        List<BrokerRegistration> brokers = new ArrayList<>();
        brokersMirror.stream().forEach(node -> {
            OptionalInt id = ZkPaths.brokerIdOf(node.getPath());
            if (id.isEmpty()) {
                return;
            }
            try {
                brokers.add(parse(node, data -> ZkJson.parseBrokerRegistration(id.getAsInt(), data)));
            } catch (IllegalArgumentException e) {
                log.error("Ignoring malformed broker registration: {}", e.getMessage());
            }
        });
        brokers.sort(Comparator.comparingInt(BrokerRegistration::id));
        if (brokers.equals(cache.brokers())) {
            return;
        }
        cache.setBrokers(brokers);
        List<BrokerRegistration> live = cache.brokers();
        notifyListeners(listener -> listener.brokersChanged(live));
    }

    private static <T> T parse(ChildData node, Function<byte[], T> parser) {
        try {
            return parser.apply(node.getData());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(node.getPath() + ": " + e.getMessage(), e);
        }
    }

    private void notifyListeners(Consumer<MetadataListener> call) {
        for (MetadataListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                // One failing listener must not starve the others of updates; the failure is the listener's bug.
                log.error("Metadata listener {} failed", listener, e);
            }
        }
    }

    /** Stops mirroring and waits for the event thread to finish the event it is handling. */
    @Override
    public void close() throws InterruptedException {
        brokersMirror.close();
        configMirror.close();
        events.shutdown();
        if (!events.awaitTermination(30, TimeUnit.SECONDS)) {
            log.warn("Metadata event thread did not stop within 30 s");
        }
    }
}
