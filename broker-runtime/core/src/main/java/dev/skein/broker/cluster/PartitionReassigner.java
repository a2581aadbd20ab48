package dev.skein.broker.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.kafka.common.TopicPartition;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's part of partition reassignment ({@code /admin/reassign_partitions}), advanced one step per
 * controller event, on the controller thread:
 *
 * <ol>
 *   <li>the assignment becomes target + current (the new replicas start fetching from the leader);
 *   <li>once every target replica is in the ISR, in one fenced {@code multi}: the assignment becomes the target, the
 *       ISR keeps only target replicas, and leadership moves to a target replica if the leader is leaving (new leader
 *       epoch); brokers no longer assigned delete their copy;
 *   <li>the finished partition is removed from {@code /admin/reassign_partitions} (the znode goes when empty).
 * </ol>
 *
 * Requests for partitions that do not exist are dropped. Every write is conditional on the versions read, so a step
 * that raced with another change is simply retried on the next event.
 */
final class PartitionReassigner {
    private static final Logger log = LoggerFactory.getLogger(PartitionReassigner.class);

    private final CuratorFramework client;
    private final MetadataStore metadata;

    PartitionReassigner(CuratorFramework client, MetadataStore metadata) {
        this.client = client;
        this.metadata = metadata;
    }

    /** Advances every pending reassignment by one step. */
    void advance(ControllerEpochFence fence, byte[] requestData, int requestVersion) throws Exception {
        Map<TopicPartition, List<Integer>> targets;
        try {
            targets = ZkJson.parseReassignments(requestData);
        } catch (IllegalArgumentException e) {
            log.error("Ignoring malformed {}: {}", ZkPaths.REASSIGN_PARTITIONS, e.getMessage());
            return;
        }
        Map<TopicPartition, List<Integer>> remaining = new LinkedHashMap<>(targets);
        for (Map.Entry<TopicPartition, List<Integer>> e : targets.entrySet()) {
            TopicPartition tp = e.getKey();
            List<Integer> target = e.getValue();
            Optional<PartitionState> state =
                    metadata.topic(tp.topic()).map(topic -> topic.partitions().get(tp.partition()));
            if (state.isEmpty() || target.isEmpty()) {
                remaining.remove(tp);
            } else if (state.get().replicas().equals(target)) {
                remaining.remove(tp);
                log.info("Reassignment of {} to {} is complete", tp, target);
            } else {
                step(fence, tp, state.get(), target);
            }
        }
        if (remaining.size() < targets.size()) {
            CuratorOp op = remaining.isEmpty()
                    ? client.transactionOp()
                            .delete()
                            .withVersion(requestVersion)
                            .forPath(ZkPaths.REASSIGN_PARTITIONS)
                    : client.transactionOp()
                            .setData()
                            .withVersion(requestVersion)
                            .forPath(ZkPaths.REASSIGN_PARTITIONS, ZkJson.reassignments(remaining));
            try {
                fence.commit(List.of(op));
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException changed) {
                log.debug("Reassignment requests changed meanwhile; the next event retries");
            }
        }
    }

    private void step(ControllerEpochFence fence, TopicPartition tp, PartitionState state, List<Integer> target)
            throws Exception {
        List<Integer> union = new ArrayList<>(target);
        for (int replica : state.replicas()) {
            if (!union.contains(replica)) {
                union.add(replica);
            }
        }
        Stat assignmentStat = new Stat();
        ZkJson.TopicAssignment assignment = ZkJson.parseTopicAssignment(
                client.getData().storingStatIn(assignmentStat).forPath(ZkPaths.topic(tp.topic())));
        Map<Integer, List<Integer>> replicas = new TreeMap<>(assignment.replicas());
        List<CuratorOp> ops = new ArrayList<>();
        if (!state.replicas().equals(union)) {
            replicas.put(tp.partition(), union);
            log.info("Reassigning {}: replicas {} -> {} while the new ones catch up", tp, state.replicas(), union);
        } else if (state.isr().containsAll(target)) {
            replicas.put(tp.partition(), target);
            List<Integer> isr = new ArrayList<>();
            state.isr().stream().filter(target::contains).forEach(isr::add);
            int leader = target.contains(state.leader()) ? state.leader() : firstIn(target, isr);
            int epoch = leader == state.leader() ? state.leaderEpoch() : state.leaderEpoch() + 1;
            ops.add(client.transactionOp()
                    .setData()
                    .withVersion(state.zkVersion())
                    .forPath(
                            ZkPaths.partitionState(tp.topic(), tp.partition()),
                            ZkJson.partitionState(new ZkJson.LeaderAndIsr(leader, epoch, isr, fence.epoch()))));
            log.info("Reassigning {}: replicas {} -> {}, leader {}, ISR {}", tp, union, target, leader, isr);
        } else {
            return;
        }
        ops.add(
                0,
                client.transactionOp()
                        .setData()
                        .withVersion(assignmentStat.getVersion())
                        .forPath(ZkPaths.topic(tp.topic()), ZkJson.topicAssignment(assignment.topicId(), replicas)));
        try {
            fence.commit(ops);
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException changed) {
            log.debug("{} changed during its reassignment step; the next event retries", tp);
        }
    }

    private static int firstIn(List<Integer> target, List<Integer> isr) {
        for (int replica : target) {
            if (isr.contains(replica)) {
                return replica;
            }
        }
        return target.get(0);
    }
}
