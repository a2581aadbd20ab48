package dev.skein.broker.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.kafka.common.errors.ControllerMovedException;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;

/**
 * Proof of having been elected controller for one epoch, and the only way the controller writes to ZooKeeper.
 *
 * <p><b>Election</b> ({@link #tryElect}) is one ZooKeeper {@code multi}: create the ephemeral {@code /controller} and
 * set {@code /controller_epoch} to epoch + 1 conditional on the version just read. Either both happen or neither, so
 * two brokers can never hold the same epoch. <b>Writes</b> ({@link #commit}) prepend a version check of
 * {@code /controller_epoch} to the caller's operations: once a successor was elected the epoch znode's version moved
 * on, the whole {@code multi} fails, and {@link ControllerMovedException} tells the caller it is a zombie. The fence
 * does not rely on the {@code /controller} node, which a paused controller may not yet know it lost.
 *
 * <p>Immutable; thread-safe (Curator is).
 */
public final class ControllerEpochFence {
    private final CuratorFramework client;
    private final int brokerId;
    private final int epoch;
    private final int epochZkVersion;

    private ControllerEpochFence(CuratorFramework client, int brokerId, int epoch, int epochZkVersion) {
        this.client = client;
        this.brokerId = brokerId;
        this.epoch = epoch;
        this.epochZkVersion = epochZkVersion;
    }

    /**
     * Tries to become controller. Returns empty when another broker holds {@code /controller} or won a concurrent
     * election.
     *
     * @throws Exception when ZooKeeper fails otherwise (connection loss beyond Curator's retries)
     */
    public static Optional<ControllerEpochFence> tryElect(CuratorFramework client, int brokerId, long nowMs)
            throws Exception {
        Stat stat = new Stat();
        byte[] data;
        try {
            data = client.getData().storingStatIn(stat).forPath(ZkPaths.CONTROLLER_EPOCH);
        } catch (KeeperException.NoNodeException e) {
            try {
                client.create().forPath(ZkPaths.CONTROLLER_EPOCH, ZkJson.controllerEpoch(0));
            } catch (KeeperException.NodeExistsException raced) {
                // Another broker created it first; read it below.
            }
            data = client.getData().storingStatIn(stat).forPath(ZkPaths.CONTROLLER_EPOCH);
        }
        int next = ZkJson.parseControllerEpoch(data) + 1;
        try {
            List<CuratorTransactionResult> results = client.transaction()
                    .forOperations(
                            client.transactionOp()
                                    .create()
                                    .withMode(CreateMode.EPHEMERAL)
                                    .forPath(ZkPaths.CONTROLLER, ZkJson.controller(brokerId, nowMs)),
                            client.transactionOp()
                                    .setData()
                                    .withVersion(stat.getVersion())
                                    .forPath(ZkPaths.CONTROLLER_EPOCH, ZkJson.controllerEpoch(next)));
            int version = results.get(1).getResultStat().getVersion();
            return Optional.of(new ControllerEpochFence(client, brokerId, next, version));
        } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException lost) {
            return Optional.empty();
        }
    }

    public int epoch() {
        return epoch;
    }

    public int brokerId() {
        return brokerId;
    }

    /**
     * Applies {@code ops} atomically, only if this fence's epoch is still the current one.
     *
     * @throws ControllerMovedException if a newer controller was elected (nothing was written)
     * @throws KeeperException for a failing operation of the caller's (e.g. BadVersion of a partition state); nothing
     *     was written
     */
    public void commit(List<CuratorOp> ops) throws Exception {
        List<CuratorOp> all = new ArrayList<>(ops.size() + 1);
        all.add(client.transactionOp().check().withVersion(epochZkVersion).forPath(ZkPaths.CONTROLLER_EPOCH));
        all.addAll(ops);
        try {
            client.transaction().forOperations(all);
        } catch (KeeperException e) {
            List<OpResult> results = e.getResults();
            boolean fenced = results != null
                    && !results.isEmpty()
                    && results.get(0) instanceof OpResult.ErrorResult error
                    && error.getErr() != KeeperException.Code.OK.intValue();
            if (fenced || e instanceof KeeperException.BadVersionException && results == null && isStale()) {
                throw new ControllerMovedException(
                        "Controller epoch " + epoch + " of broker " + brokerId + " was superseded; write refused");
            }
            throw e;
        }
    }

    private boolean isStale() throws Exception {
        Stat stat = client.checkExists().forPath(ZkPaths.CONTROLLER_EPOCH);
        return stat == null || stat.getVersion() != epochZkVersion;
    }

    @Override
    public String toString() {
        return "controller " + brokerId + " epoch " + epoch;
    }
}
