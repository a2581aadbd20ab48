package dev.skein.broker.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.retry.RetryUntilElapsed;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Time;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZKUtil;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skein's cluster metadata in ZooKeeper: cluster id, broker registrations, topics, partitions and topic configs, in the
 * classic Kafka znode layout ({@link ZkPaths}) and JSON ({@link ZkJson}), so Kafka's ZooKeeper tools read what Skein
 * writes and the other way round.
 *
 * <p><b>Reads</b> ({@link #topic}, {@link #topics}, {@link #liveBrokers}) are served from an in-memory cache kept
 * current by ZooKeeper watches and never touch ZooKeeper. <b>Writes</b> go to ZooKeeper (a topic's znodes in one
 * transaction) and return only once the cache shows them, so a thread that wrote sees its own write; a write that
 * ZooKeeper acknowledged but the cache has not shown within the session timeout fails with
 * {@link org.apache.kafka.common.errors.TimeoutException}. Writes are durable in ZooKeeper when they return.
 *
 * <p><b>Threads:</b> all methods are thread-safe. {@link MetadataListener}s are called on the single metadata event
 * thread after the cache was updated; write methods must not be called from that thread (they throw
 * {@link IllegalStateException} rather than deadlock). Write methods throw {@link KafkaException} when ZooKeeper
 * fails in a way not listed on the method.
 */
public final class MetadataStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetadataStore.class);
    private static final int CONTROLLER_EPOCH_NONE = 0;
    private static final long RETRY_SLEEP_MS = 100;

    private final CuratorFramework client;
    private final ExecutorService notifications;
    private final MetadataCache cache;
    private final MetadataWatcher watcher;
    private final Time time;
    private final int sessionTimeoutMs;
    private volatile BrokerRegistration registration;
    private final ConnectionStateListener reRegistration = (c, state) -> {
        if (state == ConnectionState.RECONNECTED) {
            reRegister();
        }
    };

    private MetadataStore(
            CuratorFramework client,
            ExecutorService notifications,
            MetadataCache cache,
            MetadataWatcher watcher,
            Time time,
            int sessionTimeoutMs) {
        this.client = client;
        this.notifications = notifications;
        this.cache = cache;
        this.watcher = watcher;
        this.time = time;
        this.sessionTimeoutMs = sessionTimeoutMs;
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
        // Curator does not wait for its notification thread on close; owning it lets close() do so.
        ExecutorService notifications = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "skein-zookeeper-notifications");
            thread.setDaemon(true);
            return thread;
        });
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .runSafeService(notifications)
                .connectString(connectString)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(sessionTimeoutMs)
                .retryPolicy(new RetryUntilElapsed(sessionTimeoutMs, (int) RETRY_SLEEP_MS))
                // The ensemble is what the operator configured; don't follow /zookeeper/config.
                .ensembleTracker(false)
                .build();
        client.start();
        try {
            if (!client.blockUntilConnected(sessionTimeoutMs, TimeUnit.MILLISECONDS)) {
                throw new IOException("Cannot reach ZooKeeper at " + connectString + " within " + sessionTimeoutMs
                        + " ms (zookeeper.connect, zookeeper.session.timeout.ms)");
            }
            for (String root : ZkPaths.PERSISTENT_ROOTS) {
                createIfAbsent(client, root);
            }
            MetadataCache cache = new MetadataCache();
            MetadataWatcher watcher = MetadataWatcher.start(client, cache, sessionTimeoutMs);
            return new MetadataStore(client, notifications, cache, watcher, time, sessionTimeoutMs);
        } catch (IOException | InterruptedException | RuntimeException e) {
            client.close();
            stop(notifications);
            throw e;
        }
    }

    /**
     * The id of the cluster stored in {@code /cluster/id}; when there is none yet, stores {@code proposedIfAbsent} (a
     * random base64 UUID when that is null or empty) and returns it. The first writer wins a race.
     */
    public String clusterId(String proposedIfAbsent) throws InterruptedException {
        checkNotEventThread();
        String proposed = proposedIfAbsent == null || proposedIfAbsent.isEmpty()
                ? Uuid.randomUuid().toString()
                : proposedIfAbsent;
        try {
            while (true) {
                try {
                    return ZkJson.parseClusterId(client.getData().forPath(ZkPaths.CLUSTER_ID));
                } catch (KeeperException.NoNodeException absent) {
                    try {
                        client.create()
                                .creatingParentsIfNeeded()
                                .forPath(ZkPaths.CLUSTER_ID, ZkJson.clusterId(proposed));
                        return proposed;
                    } catch (KeeperException.NodeExistsException lostRace) {
                        // Another broker stored its id first: read it on the next iteration.
                    }
                }
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw failure("reading the cluster id", e);
        }
    }

    /**
     * Registers this broker under the ephemeral {@code /brokers/ids/<id>}, which disappears when this store closes or
     * its session expires. A registration left by an earlier session of this id (a crashed broker) is waited out until
     * ZooKeeper expires it (up to twice the session timeout); one owned by this session is replaced.
     *
     * @throws KafkaException if another live broker holds the id
     */
    public void registerBroker(BrokerRegistration broker) throws InterruptedException {
        checkNotEventThread();
        String path = ZkPaths.brokerId(broker.id());
        try {
            long deadline = time.milliseconds() + 2L * negotiatedSessionTimeoutMs();
            while (true) {
                try {
                    client.create()
                            .withMode(CreateMode.EPHEMERAL)
                            .forPath(path, ZkJson.brokerRegistration(broker, time.milliseconds()));
                    break;
                } catch (KeeperException.NodeExistsException e) {
                    awaitRegistrationGone(broker.id(), path, deadline);
                }
            }
        } catch (InterruptedException | KafkaException e) {
            throw e;
        } catch (Exception e) {
            throw failure("registering broker " + broker.id(), e);
        }
        log.info("Registered broker {} at {}:{}", broker.id(), broker.host(), broker.port());
        if (registration == null) {
            client.getConnectionStateListenable().addListener(reRegistration);
        }
        registration = broker;
        awaitCache(() -> cache.brokers().contains(broker));
    }

    /**
     * Replaces the ISR of a partition this broker leads, conditional on the state znode still being at
     * {@code current.zkVersion()} (Kafka's ZooKeeper-mode leader did the same). Leader, leader epoch and controller
     * epoch are kept. Does not wait for the cache: the change arrives as a metadata event.
     *
     * @return false if the state changed since {@code current} was read (nothing was written)
     */
    public boolean updateIsr(TopicPartition tp, PartitionState current, List<Integer> isr) throws InterruptedException {
        ZkJson.LeaderAndIsr next =
                new ZkJson.LeaderAndIsr(current.leader(), current.leaderEpoch(), isr, current.controllerEpoch());
        try {
            client.setData()
                    .withVersion(current.zkVersion())
                    .forPath(ZkPaths.partitionState(tp.topic(), tp.partition()), ZkJson.partitionState(next));
            log.info("ISR of {} changed from {} to {} by its leader {}", tp, current.isr(), isr, current.leader());
            return true;
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            return false;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw failure("updating the ISR of " + tp, e);
        }
    }

    /**
     * Asks the controller to move leadership off this broker (controlled shutdown) and waits, up to
     * {@code timeoutMs}, until it leads no partition that has another in-sync replica to take over. The request is
     * an ephemeral znode, so it ends with this store's session.
     *
     * @return whether leadership moved within the time
     */
    public boolean requestControlledShutdown(int brokerId, long timeoutMs) throws InterruptedException {
        checkNotEventThread();
        try {
            client.create().withMode(CreateMode.EPHEMERAL).forPath(ZkPaths.controlledShutdown(brokerId));
        } catch (KeeperException.NodeExistsException e) {
            log.debug("Controlled shutdown of broker {} already requested", brokerId);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw failure("requesting the controlled shutdown of broker " + brokerId, e);
        }
        return awaitMetadata(() -> leadsNothingMovable(brokerId), timeoutMs);
    }

    private boolean leadsNothingMovable(int brokerId) {
        Set<Integer> live = new HashSet<>();
        cache.brokers().forEach(broker -> live.add(broker.id()));
        for (TopicDescription topic : cache.topics()) {
            for (PartitionState state : topic.partitions().values()) {
                if (state.leader() == brokerId
                        && state.isr().stream().anyMatch(replica -> replica != brokerId && live.contains(replica))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Asks the controller to move these partitions to their preferred (first assigned) replica, through Kafka's
     * {@code /admin/preferred_replica_election} znode. Returns once the request is stored, not once it is done.
     *
     * @return false if an earlier request is still pending (nothing was written)
     */
    public boolean requestPreferredLeaderElection(Collection<TopicPartition> partitions) throws InterruptedException {
        try {
            client.create().forPath(ZkPaths.PREFERRED_REPLICA_ELECTION, ZkJson.preferredReplicaElection(partitions));
            return true;
        } catch (KeeperException.NodeExistsException e) {
            return false;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw failure("requesting a preferred leader election", e);
        }
    }

    /**
     * Blocks until {@code condition} holds; it is re-evaluated whenever the cache changes (no polling).
     *
     * @return whether it held within {@code timeoutMs}
     */
    public boolean awaitMetadata(Supplier<Boolean> condition, long timeoutMs) throws InterruptedException {
        try {
            cache.awaitUntil(condition, time, time.milliseconds() + timeoutMs);
            return true;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return false;
        }
    }

    /**
     * Adds (target replica list) or cancels (empty) reassignments in {@code /admin/reassign_partitions}, which the
     * controller carries out. Cancelling only drops the pending request: replicas already added stay assigned.
     *
     * @return the partitions whose cancellation found no pending reassignment
     */
    public Set<TopicPartition> requestReassignments(Map<TopicPartition, Optional<List<Integer>>> changes)
            throws InterruptedException {
        try {
            while (true) {
                Stat stat = new Stat();
                Map<TopicPartition, List<Integer>> pending;
                boolean exists;
                try {
                    pending = new LinkedHashMap<>(ZkJson.parseReassignments(
                            client.getData().storingStatIn(stat).forPath(ZkPaths.REASSIGN_PARTITIONS)));
                    exists = true;
                } catch (KeeperException.NoNodeException e) {
                    pending = new LinkedHashMap<>();
                    exists = false;
                }
                Set<TopicPartition> notPending = new HashSet<>();
                for (Map.Entry<TopicPartition, Optional<List<Integer>>> change : changes.entrySet()) {
                    if (change.getValue().isPresent()) {
                        pending.put(change.getKey(), change.getValue().get());
                    } else if (pending.remove(change.getKey()) == null) {
                        notPending.add(change.getKey());
                    }
                }
                try {
                    if (!exists) {
                        client.create().forPath(ZkPaths.REASSIGN_PARTITIONS, ZkJson.reassignments(pending));
                    } else if (pending.isEmpty()) {
                        client.delete().withVersion(stat.getVersion()).forPath(ZkPaths.REASSIGN_PARTITIONS);
                    } else {
                        client.setData()
                                .withVersion(stat.getVersion())
                                .forPath(ZkPaths.REASSIGN_PARTITIONS, ZkJson.reassignments(pending));
                    }
                    return notPending;
                } catch (KeeperException.NodeExistsException
                        | KeeperException.BadVersionException
                        | KeeperException.NoNodeException e) {
                    log.debug("Reassignments changed concurrently, retrying");
                }
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw failure("requesting partition reassignments", e);
        }
    }

    /** The pending reassignments (target replicas per partition), read from ZooKeeper. */
    public Map<TopicPartition, List<Integer>> reassignments() throws InterruptedException {
        try {
            return ZkJson.parseReassignments(client.getData().forPath(ZkPaths.REASSIGN_PARTITIONS));
        } catch (KeeperException.NoNodeException e) {
            return Map.of();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw failure("reading partition reassignments", e);
        }
    }

    /** Live brokers sorted by id, from the cache. */
    public List<BrokerRegistration> liveBrokers() {
        return cache.brokers();
    }

    /**
     * Creates a topic with replicas spread over the live brokers ({@link ReplicaAssignment}, rack-aware when brokers
     * declare racks) and the first replica of each partition as
     * leader with the full replica list as ISR. The config znode, assignment znode and all partition state znodes are
     * written in one ZooKeeper transaction.
     *
     * @throws InvalidTopicException if the name is not a legal topic name or collides with an existing topic
     * @throws InvalidPartitionsException if {@code partitions < 1}
     * @throws org.apache.kafka.common.errors.InvalidReplicationFactorException if {@code replicationFactor} is below 1
     *     or above the number of live brokers
     * @throws TopicExistsException if the topic exists or is marked for deletion
     */
    public TopicDescription createTopic(
            String name, int partitions, short replicationFactor, Map<String, String> configs)
            throws InterruptedException {
        checkNotEventThread();
        Topic.validate(name);
        if (partitions < 1) {
            throw new InvalidPartitionsException("Number of partitions must be larger than 0.");
        }
        Map<Integer, List<Integer>> assignment =
                ReplicaAssignment.assign(cache.brokers(), 0, partitions, replicationFactor);
        Uuid topicId = Uuid.randomUuid();
        try {
            checkCreatable(name);
            List<CuratorOp> ops = new ArrayList<>();
            byte[] config = ZkJson.topicConfig(configs);
            if (client.checkExists().forPath(ZkPaths.topicConfig(name)) == null) {
                ops.add(client.transactionOp().create().forPath(ZkPaths.topicConfig(name), config));
            } else {
                // Kafka leaves config znodes of deleted topics behind; overwrite, don't fail.
                ops.add(client.transactionOp().setData().forPath(ZkPaths.topicConfig(name), config));
            }
            ops.add(client.transactionOp()
                    .create()
                    .forPath(ZkPaths.topic(name), ZkJson.topicAssignment(topicId, assignment)));
            ops.add(client.transactionOp().create().forPath(ZkPaths.partitions(name)));
            addPartitionCreates(ops, name, assignment);
            ZkRequestSize.check("Creating topic " + name + " with " + partitions + " partitions", ops);
            client.transaction().forOperations(ops);
        } catch (KeeperException.NodeExistsException e) {
            throw new TopicExistsException("Topic '" + name + "' already exists.");
        } catch (InterruptedException | KafkaException e) {
            throw e;
        } catch (Exception e) {
            throw failure("creating topic " + name, e);
        }
        log.info("Created topic {} ({}) with assignment {}", name, topicId, assignment);
        // A concurrent DeleteTopics (or delete and re-create) may remove the topic before the cache shows it: stop
        // waiting then too, and answer with what this request wrote.
        awaitCache(
                () -> cache.topic(name).filter(t -> t.topicId().equals(topicId)).isPresent() || cache.retired(topicId));
        return cache.topic(name)
                .filter(t -> t.topicId().equals(topicId))
                .orElseGet(() -> asWritten(name, topicId, assignment, configs));
    }

    /** The topic as {@link #createTopic} wrote it, for a topic already deleted again when the cache caught up. */
    private static TopicDescription asWritten(
            String name, Uuid topicId, Map<Integer, List<Integer>> assignment, Map<String, String> configs) {
        Map<Integer, PartitionState> partitions = new TreeMap<>();
        assignment.forEach((partition, replicas) ->
                partitions.put(partition, new PartitionState(partition, replicas, replicas.get(0), 0, replicas, 0, 0)));
        return new TopicDescription(name, topicId, partitions, configs);
    }

    /**
     * Deletes all znodes of a topic (assignment, partition states, config) in one transaction and waits until this
     * broker's cache no longer holds it (up to the ZooKeeper session timeout).
     *
     * @throws UnknownTopicOrPartitionException if the topic does not exist, or was deleted concurrently
     */
    public void deleteTopic(String name) throws InterruptedException {
        if (!deleteTopic(name, sessionTimeoutMs)) {
            throw new org.apache.kafka.common.errors.TimeoutException("Topic '" + name
                    + "' was deleted but the metadata cache did not show it within " + sessionTimeoutMs + " ms");
        }
    }

    /**
     * Deletes all znodes of a topic (assignment, partition states, config) in one transaction; a concurrent deletion
     * of the same topic (by another request or broker) makes this one fail as unknown, never with a ZooKeeper error.
     *
     * @return whether this broker's cache stopped holding the topic within {@code timeoutMs}, at most the session
     *     timeout (the deletion itself is done either way)
     * @throws UnknownTopicOrPartitionException if the topic does not exist, or was deleted concurrently
     */
    public boolean deleteTopic(String name, long timeoutMs) throws InterruptedException {
        checkNotEventThread();
        Uuid topicId;
        try {
            while (true) {
                byte[] assignment;
                try {
                    assignment = client.getData().forPath(ZkPaths.topic(name));
                } catch (KeeperException.NoNodeException e) {
                    throw unknownTopic(name);
                }
                topicId = ZkJson.parseTopicAssignment(assignment).topicId();
                try {
                    List<String> subtree =
                            ZKUtil.listSubTreeBFS(client.getZookeeperClient().getZooKeeper(), ZkPaths.topic(name));
                    Collections.reverse(subtree);
                    List<CuratorOp> ops = new ArrayList<>();
                    for (String path : subtree) {
                        ops.add(client.transactionOp().delete().forPath(path));
                    }
                    for (String path : List.of(ZkPaths.topicConfig(name), ZkPaths.topicDeletion(name))) {
                        if (client.checkExists().forPath(path) != null) {
                            ops.add(client.transactionOp().delete().forPath(path));
                        }
                    }
                    client.transaction().forOperations(ops);
                    break;
                } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException e) {
                    // The topic changed between reading and deleting (deleted by a concurrent request, partitions
                    // added): read again; a topic that is gone is then unknown.
                    log.debug("Topic {} changed while deleting it, retrying: {}", name, e.getMessage());
                }
            }
        } catch (InterruptedException | KafkaException e) {
            throw e;
        } catch (Exception e) {
            throw failure("deleting topic " + name, e);
        }
        log.info("Deleted topic {} ({})", name, topicId);
        cache.retire(topicId);
        Uuid deleted = topicId;
        return awaitMetadata(
                () -> cache.topic(name).filter(t -> t.topicId().equals(deleted)).isEmpty(),
                Math.min(timeoutMs, sessionTimeoutMs));
    }

    /**
     * Grows a topic to {@code newTotalCount} partitions; the new ones get the replication factor of partition 0,
     * placed round-robin continuing after the existing partitions.
     *
     * @throws UnknownTopicOrPartitionException if the topic does not exist
     * @throws InvalidPartitionsException if {@code newTotalCount} is not larger than the current count
     */
    public void createPartitions(String name, int newTotalCount) throws InterruptedException {
        checkNotEventThread();
        int writtenVersion;
        try {
            while (true) {
                Stat stat = new Stat();
                byte[] data;
                try {
                    data = client.getData().storingStatIn(stat).forPath(ZkPaths.topic(name));
                } catch (KeeperException.NoNodeException e) {
                    throw unknownTopic(name);
                }
                ZkJson.TopicAssignment current = ZkJson.parseTopicAssignment(data);
                int currentCount = current.replicas().size();
                if (newTotalCount <= currentCount) {
                    throw new InvalidPartitionsException("Topic '" + name + "' has " + currentCount
                            + " partitions; the new count must be larger, got " + newTotalCount + ".");
                }
                int replicationFactor =
                        current.replicas().get(current.replicas().firstKey()).size();
                Map<Integer, List<Integer>> added = ReplicaAssignment.assign(
                        cache.brokers(), currentCount, newTotalCount - currentCount, replicationFactor);
                Map<Integer, List<Integer>> all = new TreeMap<>(current.replicas());
                all.putAll(added);
                List<CuratorOp> ops = new ArrayList<>();
                ops.add(client.transactionOp()
                        .setData()
                        .withVersion(stat.getVersion())
                        .forPath(ZkPaths.topic(name), ZkJson.topicAssignment(current.topicId(), all)));
                addPartitionCreates(ops, name, added);
                ZkRequestSize.check("Adding " + added.size() + " partitions to topic " + name, ops);
                try {
                    client.transaction().forOperations(ops);
                    writtenVersion = stat.getVersion() + 1;
                    break;
                } catch (KeeperException.BadVersionException e) {
                    log.debug("Assignment of topic {} changed concurrently, retrying", name);
                }
            }
        } catch (InterruptedException | KafkaException e) {
            throw e;
        } catch (Exception e) {
            throw failure("adding partitions to topic " + name, e);
        }
        log.info("Topic {} now has {} partitions", name, newTotalCount);
        int version = writtenVersion;
        awaitCache(() -> cache.entry(name)
                .map(entry -> entry.assignmentVersion() >= version)
                .orElse(true));
    }

    /**
     * Replaces the config overrides of a topic with {@code overrides} (keys not in it fall back to broker defaults).
     *
     * @throws UnknownTopicOrPartitionException if the topic does not exist
     */
    public void setTopicConfig(String name, Map<String, String> overrides) throws InterruptedException {
        checkNotEventThread();
        int writtenVersion;
        try {
            if (client.checkExists().forPath(ZkPaths.topic(name)) == null) {
                throw unknownTopic(name);
            }
            byte[] data = ZkJson.topicConfig(overrides);
            ZkRequestSize.checkData("The config of topic " + name, data.length);
            try {
                writtenVersion = client.setData()
                        .forPath(ZkPaths.topicConfig(name), data)
                        .getVersion();
            } catch (KeeperException.NoNodeException e) {
                client.create().forPath(ZkPaths.topicConfig(name), data);
                writtenVersion = 0;
            }
        } catch (InterruptedException | KafkaException e) {
            throw e;
        } catch (Exception e) {
            throw failure("setting the config of topic " + name, e);
        }
        log.info("Set config of topic {} to {}", name, overrides);
        int version = writtenVersion;
        awaitCache(() ->
                cache.entry(name).map(entry -> entry.configVersion() >= version).orElse(true));
    }

    /** The topic from the cache. */
    public Optional<TopicDescription> topic(String name) {
        return cache.topic(name);
    }

    /** The topic with this id from the cache. */
    public Optional<TopicDescription> topic(Uuid id) {
        return cache.topic(id);
    }

    /** All topics from the cache, sorted by name. */
    public Collection<TopicDescription> topics() {
        return cache.topics();
    }

    /** Adds a listener for changes made from now on; see {@link MetadataListener} for the threading contract. */
    /** Topic id to name for every known topic: a live read-only view, cheap enough for every fetch request. */
    public Map<Uuid, String> topicNamesById() {
        return cache.namesById();
    }

    /** The ZooKeeper client, for cluster state kept beside the metadata (producer id blocks). */
    public CuratorFramework curator() {
        return client;
    }

    public void addListener(MetadataListener listener) {
        watcher.addListener(listener);
    }

    /**
     * Stops watching and closes the ZooKeeper session, which removes this broker's registration at once.
     */
    @Override
    public void close() throws InterruptedException {
        client.getConnectionStateListenable().removeListener(reRegistration);
        registration = null;
        try {
            watcher.close();
        } finally {
            client.close();
            stop(notifications);
        }
    }

    private static void stop(ExecutorService executor) throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
            log.warn("ZooKeeper notification thread did not stop within 30 s");
        }
    }

    /**
     * After an expired session came back as a new one, the ephemeral registration is gone (or about to go with the
     * old session): this broker would look dead to the cluster while serving. Recreates it, waiting out a leftover of
     * the old session. Asynchronous: this runs on Curator's event thread.
     */
    private void reRegister() {
        BrokerRegistration broker = registration;
        if (broker == null) {
            return;
        }
        String path = ZkPaths.brokerId(broker.id());
        try {
            client.create()
                    .withMode(CreateMode.EPHEMERAL)
                    .inBackground((c, event) -> {
                        KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
                        if (code == KeeperException.Code.OK) {
                            log.info("Re-registered broker {} after a new ZooKeeper session", broker.id());
                        } else if (code == KeeperException.Code.NODEEXISTS) {
                            reRegisterWhenGone(path);
                        } else {
                            log.warn("Could not re-register broker {}: {}", broker.id(), code);
                        }
                    })
                    .forPath(path, ZkJson.brokerRegistration(broker, time.milliseconds()));
        } catch (Exception e) {
            // Curator reports failures of background operations to the callback; this is a client-side failure.
            log.warn("Could not re-register broker {}: {}", broker.id(), e.toString());
        }
    }

    /** The registration exists: if an older session owns it, register again once it is gone. */
    private void reRegisterWhenGone(String path) throws Exception {
        long session = client.getZookeeperClient().getZooKeeper().getSessionId();
        client.checkExists()
                .usingWatcher((CuratorWatcher) event -> {
                    if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
                        reRegister();
                    }
                })
                .inBackground((c, event) -> {
                    if (event.getStat() == null) {
                        reRegister();
                    } else if (event.getStat().getEphemeralOwner() == session) {
                        log.debug("Registration {} is this session's", path);
                    }
                })
                .forPath(path);
    }

    private void awaitRegistrationGone(int brokerId, String path, long deadline) throws Exception {
        CountDownLatch changed = new CountDownLatch(1);
        Stat stat = client.checkExists()
                .usingWatcher((CuratorWatcher) event -> changed.countDown())
                .forPath(path);
        if (stat == null) {
            return;
        }
        long ourSession = client.getZookeeperClient().getZooKeeper().getSessionId();
        if (stat.getEphemeralOwner() == ourSession) {
            // Ours, e.g. a retry after a connection loss: replace it so it carries the current data.
            try {
                client.delete().withVersion(stat.getVersion()).forPath(path);
            } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
                log.debug("Own registration of broker {} changed while replacing it", brokerId);
            }
            return;
        }
        long remaining = deadline - time.milliseconds();
        log.info(
                "Broker id {} is registered by ZooKeeper session 0x{}; waiting up to {} ms for it to expire",
                brokerId,
                Long.toHexString(stat.getEphemeralOwner()),
                Math.max(remaining, 0));
        if (remaining <= 0 || !changed.await(remaining, TimeUnit.MILLISECONDS)) {
            throw new KafkaException("Broker id " + brokerId + " is already registered by another live broker "
                    + "(ZooKeeper session 0x" + Long.toHexString(stat.getEphemeralOwner()) + ", registration "
                    + describeRegistration(brokerId, path) + ") that did not go away within "
                    + (2L * negotiatedSessionTimeoutMs()) + " ms; every broker needs a unique broker.id");
        }
    }

    private String describeRegistration(int brokerId, String path) throws Exception {
        try {
            BrokerRegistration other =
                    ZkJson.parseBrokerRegistration(brokerId, client.getData().forPath(path));
            return other.host() + ":" + other.port();
        } catch (KeeperException.NoNodeException e) {
            return "gone";
        }
    }

    private void checkCreatable(String name) throws Exception {
        if (client.checkExists().forPath(ZkPaths.topic(name)) != null) {
            throw new TopicExistsException("Topic '" + name + "' already exists.");
        }
        if (client.checkExists().forPath(ZkPaths.topicDeletion(name)) != null) {
            throw new TopicExistsException("Topic '" + name + "' is marked for deletion.");
        }
        if (Topic.hasCollisionChars(name)) {
            for (String existing : client.getChildren().forPath(ZkPaths.BROKER_TOPICS)) {
                if (existing.equals(name)) {
                    // created concurrently since the check above
                    throw new TopicExistsException("Topic '" + name + "' already exists.");
                }
                if (Topic.hasCollision(name, existing)) {
                    throw new InvalidTopicException("Topic '" + name + "' collides with existing topic '" + existing
                            + "' ('.' and '_' are interchangeable in metric names).");
                }
            }
        }
    }

    private void addPartitionCreates(List<CuratorOp> ops, String name, Map<Integer, List<Integer>> assignment)
            throws Exception {
        for (Map.Entry<Integer, List<Integer>> partition : assignment.entrySet()) {
            List<Integer> replicas = partition.getValue();
            ZkJson.LeaderAndIsr state = new ZkJson.LeaderAndIsr(replicas.get(0), 0, replicas, CONTROLLER_EPOCH_NONE);
            ops.add(client.transactionOp().create().forPath(ZkPaths.partition(name, partition.getKey())));
            ops.add(client.transactionOp()
                    .create()
                    .forPath(ZkPaths.partitionState(name, partition.getKey()), ZkJson.partitionState(state)));
        }
    }

    private int negotiatedSessionTimeoutMs() throws Exception {
        int negotiated = client.getZookeeperClient().getZooKeeper().getSessionTimeout();
        return negotiated > 0 ? negotiated : sessionTimeoutMs;
    }

    private void awaitCache(Supplier<Boolean> condition) throws InterruptedException {
        cache.awaitUntil(condition, time, time.milliseconds() + sessionTimeoutMs);
    }

    private void checkNotEventThread() {
        if (watcher.isEventThread()) {
            throw new IllegalStateException(
                    "MetadataStore writes wait for the metadata event thread and cannot be called from a listener");
        }
    }

    private static UnknownTopicOrPartitionException unknownTopic(String name) {
        return new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
    }

    private static KafkaException failure(String action, Exception cause) {
        return new KafkaException("ZooKeeper failed while " + action + ": " + cause, cause);
    }

    private static void createIfAbsent(CuratorFramework client, String path) throws IOException, InterruptedException {
        try {
            client.create().creatingParentsIfNeeded().forPath(path);
        } catch (KeeperException.NodeExistsException e) {
            // Already there: the normal case after the first start.
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("Cannot create " + path + " in ZooKeeper: " + e, e);
        }
    }
}
