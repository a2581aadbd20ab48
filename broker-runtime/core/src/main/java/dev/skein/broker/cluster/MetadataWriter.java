package dev.skein.broker.cluster;

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
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZKUtil;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes of cluster metadata to ZooKeeper (Kafka's {@code AdminZkClient} and the writing half of
 * {@code KafkaZkClient}): topics (a topic's znodes in one transaction), partitions, topic configs, a leader's ISR
 * change, and the admin requests the controller carries out (preferred leader election, reassignments).
 *
 * <p>Topic writes return only once the {@link MetadataView} shows them, so a thread that wrote sees its own write; a
 * write that ZooKeeper acknowledged but the cache has not shown within the session timeout fails with
 * {@link org.apache.kafka.common.errors.TimeoutException}. Writes are durable in ZooKeeper when they return.
 *
 * <p><b>Threads:</b> all methods are thread-safe and block on ZooKeeper, so they must not run on a network or request
 * thread, nor on the metadata event thread (topic writes throw {@link IllegalStateException} there rather than
 * deadlock). ZooKeeper failures not listed on a method become {@link KafkaException} ({@link ZkCall}).
 */
public final class MetadataWriter {
    private static final Logger log = LoggerFactory.getLogger(MetadataWriter.class);
    private static final int CONTROLLER_EPOCH_NONE = 0;

    private final CuratorFramework client;
    private final MetadataView view;

    MetadataWriter(ZkSession session, MetadataView view) {
        this.client = session.client();
        this.view = view;
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
        return ZkCall.call("updating the ISR of " + tp, () -> {
            try {
                client.setData()
                        .withVersion(current.zkVersion())
                        .forPath(ZkPaths.partitionState(tp.topic(), tp.partition()), ZkJson.partitionState(next));
                log.info("ISR of {} changed from {} to {} by its leader {}", tp, current.isr(), isr, current.leader());
                return true;
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
                return false;
            }
        });
    }

    /**
     * Asks the controller to move these partitions to their preferred (first assigned) replica, through Kafka's
     * {@code /admin/preferred_replica_election} znode. Returns once the request is stored, not once it is done.
     *
     * @return false if an earlier request is still pending (nothing was written)
     */
    public boolean requestPreferredLeaderElection(Collection<TopicPartition> partitions) throws InterruptedException {
        return ZkCall.call("requesting a preferred leader election", () -> {
            try {
                client.create()
                        .forPath(ZkPaths.PREFERRED_REPLICA_ELECTION, ZkJson.preferredReplicaElection(partitions));
                return true;
            } catch (KeeperException.NodeExistsException e) {
                return false;
            }
        });
    }

    /**
     * Adds (target replica list) or cancels (empty) reassignments in {@code /admin/reassign_partitions}, which the
     * controller carries out. Cancelling only drops the pending request: replicas already added stay assigned.
     *
     * @return the partitions whose cancellation found no pending reassignment
     */
    public Set<TopicPartition> requestReassignments(Map<TopicPartition, Optional<List<Integer>>> changes)
            throws InterruptedException {
        return ZkCall.call("requesting partition reassignments", () -> {
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
                Set<TopicPartition> notPending = apply(changes, pending);
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
        });
    }

    /** Applies reassignment changes to {@code pending}; returns the cancellations that found nothing pending. */
    private static Set<TopicPartition> apply(
            Map<TopicPartition, Optional<List<Integer>>> changes, Map<TopicPartition, List<Integer>> pending) {
        Set<TopicPartition> notPending = new HashSet<>();
        for (Map.Entry<TopicPartition, Optional<List<Integer>>> change : changes.entrySet()) {
            if (change.getValue().isPresent()) {
                pending.put(change.getKey(), change.getValue().get());
            } else if (pending.remove(change.getKey()) == null) {
                notPending.add(change.getKey());
            }
        }
        return notPending;
    }

    /** The pending reassignments (target replicas per partition), read from ZooKeeper. */
    public Map<TopicPartition, List<Integer>> reassignments() throws InterruptedException {
        return ZkCall.call("reading partition reassignments", () -> {
            try {
                return ZkJson.parseReassignments(client.getData().forPath(ZkPaths.REASSIGN_PARTITIONS));
            } catch (KeeperException.NoNodeException e) {
                return Map.<TopicPartition, List<Integer>>of();
            }
        });
    }

    /**
     * Creates a topic with replicas spread over the live brokers ({@link ReplicaAssignment}, rack-aware when brokers
     * declare racks) and the first replica of each partition as leader with the full replica list as ISR. The config
     * znode, assignment znode and all partition state znodes are written in one ZooKeeper transaction.
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
        view.checkNotEventThread();
        Topic.validate(name);
        if (partitions < 1) {
            throw new InvalidPartitionsException("Number of partitions must be larger than 0.");
        }
        Map<Integer, List<Integer>> assignment =
                ReplicaAssignment.assign(view.liveBrokers(), 0, partitions, replicationFactor);
        Uuid topicId = Uuid.randomUuid();
        ZkCall.run("creating topic " + name, () -> {
            try {
                checkCreatable(name);
                List<CuratorOp> ops = topicCreation(name, topicId, assignment, configs);
                ZkRequestSize.check("Creating topic " + name + " with " + partitions + " partitions", ops);
                client.transaction().forOperations(ops);
            } catch (KeeperException.NodeExistsException e) {
                throw new TopicExistsException("Topic '" + name + "' already exists.");
            }
        });
        log.info("Created topic {} ({}) with assignment {}", name, topicId, assignment);
        // A concurrent DeleteTopics (or delete and re-create) may remove the topic before the cache shows it: stop
        // waiting then too, and answer with what this request wrote.
        view.awaitWrite(
                () -> view.topic(name).filter(t -> t.topicId().equals(topicId)).isPresent() || view.retired(topicId));
        return view.topic(name)
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

    private List<CuratorOp> topicCreation(
            String name, Uuid topicId, Map<Integer, List<Integer>> assignment, Map<String, String> configs)
            throws Exception {
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
        return ops;
    }

    /**
     * Deletes all znodes of a topic (assignment, partition states, config) in one transaction and waits until this
     * broker's cache no longer holds it (up to the ZooKeeper session timeout).
     *
     * @throws UnknownTopicOrPartitionException if the topic does not exist, or was deleted concurrently
     */
    public void deleteTopic(String name) throws InterruptedException {
        if (!deleteTopic(name, view.sessionTimeoutMs())) {
            throw new org.apache.kafka.common.errors.TimeoutException("Topic '" + name
                    + "' was deleted but the metadata cache did not show it within " + view.sessionTimeoutMs()
                    + " ms");
        }
    }

    /**
     * Deletes all znodes of a topic (assignment, partition states, config) in one transaction, or, when they are too
     * many for one ZooKeeper request, in several after marking the topic for deletion; a concurrent deletion
     * of the same topic (by another request or broker) makes this one fail as unknown, never with a ZooKeeper error.
     *
     * @return whether this broker's cache stopped holding the topic within {@code timeoutMs}, at most the session
     *     timeout (the deletion itself is done either way)
     * @throws UnknownTopicOrPartitionException if the topic does not exist, or was deleted concurrently
     */
    public boolean deleteTopic(String name, long timeoutMs) throws InterruptedException {
        view.checkNotEventThread();
        Uuid topicId = ZkCall.call("deleting topic " + name, () -> {
            Uuid partlyDeleted = null;
            while (true) {
                byte[] assignment;
                try {
                    assignment = client.getData().forPath(ZkPaths.topic(name));
                } catch (KeeperException.NoNodeException e) {
                    if (partlyDeleted != null) {
                        return partlyDeleted; // the controller finished what this request started
                    }
                    throw unknownTopic(name);
                }
                Uuid id = ZkJson.parseTopicAssignment(assignment).topicId();
                try {
                    List<List<CuratorOp>> runs = ZkRequestSize.split(topicDeletion(name), ZkRequestSize.budget());
                    if (runs.size() > 1) {
                        // Too many znodes for one request: mark the topic first, so that if this broker stops
                        // between two runs the controller's marked-topic deletion finishes the job.
                        markForDeletion(name);
                        runs = ZkRequestSize.split(topicDeletion(name), ZkRequestSize.budget());
                    }
                    for (List<CuratorOp> run : runs) {
                        client.transaction().forOperations(run);
                        partlyDeleted = id;
                    }
                    return id;
                } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException e) {
                    // The topic changed between reading and deleting (deleted by a concurrent request, partitions
                    // added; the listing itself fails when a concurrent delete removes part of the tree): read
                    // again; a topic that is gone is then unknown.
                    log.debug("Topic {} changed while deleting it, retrying: {}", name, e.getMessage());
                }
            }
        });
        log.info("Deleted topic {} ({})", name, topicId);
        view.retire(topicId);
        return view.awaitMetadata(
                () -> view.topic(name).filter(t -> t.topicId().equals(topicId)).isEmpty(),
                Math.min(timeoutMs, view.sessionTimeoutMs()));
    }

    private void markForDeletion(String name) throws Exception {
        try {
            client.create().creatingParentsIfNeeded().forPath(ZkPaths.topicDeletion(name));
        } catch (KeeperException.NodeExistsException alreadyMarked) {
            // Marked by an earlier attempt or another tool: the controller would finish it too.
        }
    }

    /** Every znode of the topic, children before their parent, then its config and deletion mark. */
    private List<CuratorOp> topicDeletion(String name) throws Exception {
        List<String> subtree = ZKUtil.listSubTreeBFS(client.getZookeeperClient().getZooKeeper(), ZkPaths.topic(name));
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
        return ops;
    }

    /**
     * Grows a topic to {@code newTotalCount} partitions; the new ones get the replication factor of partition 0,
     * placed round-robin continuing after the existing partitions.
     *
     * @throws UnknownTopicOrPartitionException if the topic does not exist
     * @throws InvalidPartitionsException if {@code newTotalCount} is not larger than the current count
     */
    public void createPartitions(String name, int newTotalCount) throws InterruptedException {
        view.checkNotEventThread();
        int writtenVersion = ZkCall.call("adding partitions to topic " + name, () -> {
            while (true) {
                Stat stat = new Stat();
                byte[] data;
                try {
                    data = client.getData().storingStatIn(stat).forPath(ZkPaths.topic(name));
                } catch (KeeperException.NoNodeException e) {
                    throw unknownTopic(name);
                }
                List<CuratorOp> ops = partitionAddition(name, ZkJson.parseTopicAssignment(data), stat, newTotalCount);
                ZkRequestSize.check("Adding partitions to topic " + name + " (to " + newTotalCount + ")", ops);
                try {
                    client.transaction().forOperations(ops);
                    return stat.getVersion() + 1;
                } catch (KeeperException.BadVersionException e) {
                    log.debug("Assignment of topic {} changed concurrently, retrying", name);
                }
            }
        });
        log.info("Topic {} now has {} partitions", name, newTotalCount);
        view.awaitWrite(() -> view.entry(name)
                .map(entry -> entry.assignmentVersion() >= writtenVersion)
                .orElse(true));
    }

    private List<CuratorOp> partitionAddition(String name, ZkJson.TopicAssignment current, Stat stat, int newTotalCount)
            throws Exception {
        int currentCount = current.replicas().size();
        if (newTotalCount <= currentCount) {
            throw new InvalidPartitionsException("Topic '" + name + "' has " + currentCount
                    + " partitions; the new count must be larger, got " + newTotalCount + ".");
        }
        int replicationFactor =
                current.replicas().get(current.replicas().firstKey()).size();
        Map<Integer, List<Integer>> added = ReplicaAssignment.assign(
                view.liveBrokers(), currentCount, newTotalCount - currentCount, replicationFactor);
        Map<Integer, List<Integer>> all = new TreeMap<>(current.replicas());
        all.putAll(added);
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(client.transactionOp()
                .setData()
                .withVersion(stat.getVersion())
                .forPath(ZkPaths.topic(name), ZkJson.topicAssignment(current.topicId(), all)));
        addPartitionCreates(ops, name, added);
        return ops;
    }

    /**
     * Replaces the config overrides of a topic with {@code overrides} (keys not in it fall back to broker defaults).
     *
     * @throws UnknownTopicOrPartitionException if the topic does not exist
     */
    public void setTopicConfig(String name, Map<String, String> overrides) throws InterruptedException {
        view.checkNotEventThread();
        int writtenVersion = ZkCall.call("setting the config of topic " + name, () -> {
            if (client.checkExists().forPath(ZkPaths.topic(name)) == null) {
                throw unknownTopic(name);
            }
            byte[] data = ZkJson.topicConfig(overrides);
            ZkRequestSize.checkData("The config of topic " + name, data.length);
            try {
                return client.setData().forPath(ZkPaths.topicConfig(name), data).getVersion();
            } catch (KeeperException.NoNodeException e) {
                client.create().forPath(ZkPaths.topicConfig(name), data);
                return 0;
            }
        });
        log.info("Set config of topic {} to {}", name, overrides);
        view.awaitWrite(() -> view.entry(name)
                .map(entry -> entry.configVersion() >= writtenVersion)
                .orElse(true));
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

    private static UnknownTopicOrPartitionException unknownTopic(String name) {
        return new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
    }
}
