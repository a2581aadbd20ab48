package dev.skein.broker.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.kafka.common.TopicPartition;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZKUtil;
import org.apache.zookeeper.data.Stat;

/**
 * The ZooKeeper operations the {@link Controller} needs, and only those: watching {@code /controller} and
 * {@code /admin}, reading who holds {@code /controller}, winning it ({@link ControllerEpochFence}), building the
 * operations its fenced writes commit, and giving the node up. Called on the controller's event thread; each method
 * blocks on ZooKeeper and throws its exceptions unchanged (the controller retries its step).
 */
final class ControllerZnodes {
    /** Who holds {@code /controller}. */
    enum Holder {
        NOBODY,
        THIS_BROKER,
        ANOTHER
    }

    private final ZkSession session;
    private final CuratorFramework client;

    ControllerZnodes(ZkSession session) {
        this.session = session;
        this.client = session.client();
    }

    /** A local mirror of the znode at {@code path} and its children; not started. */
    CuratorCache mirror(String path) {
        return CuratorCache.build(client, path);
    }

    /** A reassignment driver writing through this session. */
    PartitionReassigner reassigner(MetadataStore metadata) {
        return new PartitionReassigner(client, metadata);
    }

    /** Who holds {@code /controller}: this broker only if the node names it and belongs to this session. */
    Holder controllerHolder(int brokerId) throws Exception {
        Stat stat = new Stat();
        try {
            byte[] data = client.getData().storingStatIn(stat).forPath(ZkPaths.CONTROLLER);
            boolean ours =
                    stat.getEphemeralOwner() == session.sessionId() && ZkJson.parseControllerId(data) == brokerId;
            return ours ? Holder.THIS_BROKER : Holder.ANOTHER;
        } catch (KeeperException.NoNodeException absent) {
            return Holder.NOBODY;
        }
    }

    /** See {@link ControllerEpochFence#tryElect}. */
    Optional<ControllerEpochFence> tryElect(int brokerId, long nowMs) throws Exception {
        return ControllerEpochFence.tryElect(client, brokerId, nowMs);
    }

    /** Removes the handled {@code /admin/preferred_replica_election} request. */
    CuratorOp preferredElectionRemoval() throws Exception {
        return client.transactionOp().delete().forPath(ZkPaths.PREFERRED_REPLICA_ELECTION);
    }

    /** Replaces a partition's state, conditional on the version the decision was made on. */
    CuratorOp partitionStateWrite(TopicPartition tp, int zkVersion, ZkJson.LeaderAndIsr next) throws Exception {
        return client.transactionOp()
                .setData()
                .withVersion(zkVersion)
                .forPath(ZkPaths.partitionState(tp.topic(), tp.partition()), ZkJson.partitionState(next));
    }

    /** Deletes what is left of a topic marked for deletion, and the mark. */
    List<CuratorOp> markedTopicRemoval(String topic) throws Exception {
        List<CuratorOp> ops = new ArrayList<>();
        if (client.checkExists().forPath(ZkPaths.topic(topic)) != null) {
            List<String> subtree =
                    ZKUtil.listSubTreeBFS(client.getZookeeperClient().getZooKeeper(), ZkPaths.topic(topic));
            Collections.reverse(subtree);
            for (String path : subtree) {
                ops.add(client.transactionOp().delete().forPath(path));
            }
        }
        if (client.checkExists().forPath(ZkPaths.topicConfig(topic)) != null) {
            ops.add(client.transactionOp().delete().forPath(ZkPaths.topicConfig(topic)));
        }
        ops.add(client.transactionOp().delete().forPath(ZkPaths.topicDeletion(topic)));
        return ops;
    }

    /** Deletes {@code /controller} if this session holds it. */
    void giveUpControllerNode() throws Exception {
        Stat stat = client.checkExists().forPath(ZkPaths.CONTROLLER);
        if (stat != null && stat.getEphemeralOwner() == session.sessionId()) {
            client.delete().withVersion(stat.getVersion()).forPath(ZkPaths.CONTROLLER);
        }
    }
}
