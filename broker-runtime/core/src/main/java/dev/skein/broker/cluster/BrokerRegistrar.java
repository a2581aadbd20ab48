package dev.skein.broker.cluster;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's membership of the cluster in ZooKeeper: the cluster id ({@code /cluster/id}), the ephemeral
 * registration {@code /brokers/ids/<id>} (renewed when an expired session comes back as a new one) and the
 * controlled-shutdown request.
 *
 * <p><b>Threads:</b> all methods are thread-safe; blocking methods must not be called from the metadata event thread
 * (they throw {@link IllegalStateException} rather than deadlock). ZooKeeper failures not listed on a method become
 * {@link KafkaException} ({@link ZkCall}).
 */
public final class BrokerRegistrar {
    private static final Logger log = LoggerFactory.getLogger(BrokerRegistrar.class);

    private final ZkSession session;
    private final CuratorFramework client;
    private final MetadataView view;
    private final Time time;
    private volatile BrokerRegistration registration;
    private final ConnectionStateListener reRegistration = (c, state) -> {
        if (state == ConnectionState.RECONNECTED) {
            reRegister();
        }
    };

    BrokerRegistrar(ZkSession session, MetadataView view, Time time) {
        this.session = session;
        this.client = session.client();
        this.view = view;
        this.time = time;
    }

    /**
     * The id of the cluster stored in {@code /cluster/id}; when there is none yet, stores {@code proposedIfAbsent} (a
     * random base64 UUID when that is null or empty) and returns it. The first writer wins a race.
     */
    public String clusterId(String proposedIfAbsent) throws InterruptedException {
        view.checkNotEventThread();
        String proposed = proposedIfAbsent == null || proposedIfAbsent.isEmpty()
                ? Uuid.randomUuid().toString()
                : proposedIfAbsent;
        return ZkCall.call("reading the cluster id", () -> {
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
        });
    }

    /**
     * Registers this broker under the ephemeral {@code /brokers/ids/<id>}, which disappears when the session closes or
     * expires. A registration left by an earlier session of this id (a crashed broker) is waited out until ZooKeeper
     * expires it (up to twice the session timeout); one owned by this session is replaced.
     *
     * @throws KafkaException if another live broker holds the id
     */
    public void registerBroker(BrokerRegistration broker) throws InterruptedException {
        view.checkNotEventThread();
        String path = ZkPaths.brokerId(broker.id());
        ZkCall.run("registering broker " + broker.id(), () -> {
            long deadline = time.milliseconds() + 2L * session.negotiatedSessionTimeoutMs();
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
        });
        log.info("Registered broker {} at {}:{}", broker.id(), broker.host(), broker.port());
        if (registration == null) {
            session.addListener(reRegistration);
        }
        registration = broker;
        view.awaitWrite(() -> view.liveBrokers().contains(broker));
    }

    /**
     * Asks the controller to move leadership off this broker (controlled shutdown) and waits, up to
     * {@code timeoutMs}, until it leads no partition that has another in-sync replica to take over. The request is
     * an ephemeral znode, so it ends with the session.
     *
     * @return whether leadership moved within the time
     */
    public boolean requestControlledShutdown(int brokerId, long timeoutMs) throws InterruptedException {
        view.checkNotEventThread();
        ZkCall.run("requesting the controlled shutdown of broker " + brokerId, () -> {
            try {
                client.create().withMode(CreateMode.EPHEMERAL).forPath(ZkPaths.controlledShutdown(brokerId));
            } catch (KeeperException.NodeExistsException e) {
                log.debug("Controlled shutdown of broker {} already requested", brokerId);
            }
        });
        return view.awaitMetadata(() -> leadsNothingMovable(brokerId), timeoutMs);
    }

    /** Stops renewing the registration; the session's close removes it. */
    void close() {
        session.removeListener(reRegistration);
        registration = null;
    }

    private boolean leadsNothingMovable(int brokerId) {
        Set<Integer> live = new HashSet<>();
        view.liveBrokers().forEach(broker -> live.add(broker.id()));
        for (TopicDescription topic : view.topics()) {
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
        long ourSession = session.sessionId();
        client.checkExists()
                .usingWatcher((CuratorWatcher) event -> {
                    if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
                        reRegister();
                    }
                })
                .inBackground((c, event) -> {
                    if (event.getStat() == null) {
                        reRegister();
                    } else if (event.getStat().getEphemeralOwner() == ourSession) {
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
        if (stat.getEphemeralOwner() == session.sessionId()) {
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
                    + (2L * session.negotiatedSessionTimeoutMs()) + " ms; every broker needs a unique broker.id");
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
}
