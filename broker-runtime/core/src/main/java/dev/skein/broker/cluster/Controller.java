package dev.skein.broker.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ControllerMovedException;
import org.apache.kafka.common.utils.Time;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster controller, run by every broker and active on the one that won {@code /controller}.
 *
 * <p><b>Threading:</b> one event-loop thread does all the work. ZooKeeper and Curator callbacks (metadata changes,
 * {@code /controller} changes, {@code /admin} requests, session loss) only enqueue an event. Each event handler reads
 * the cluster state from the {@link MetadataStore} cache, asks {@link LeaderElection} what every partition should
 * look like, and writes the differences through the {@link ControllerEpochFence} — one fenced {@code multi} per
 * partition, conditional on the state znode's version, so a concurrent ISR change by a leader is never overwritten
 * (the write fails and the next metadata event re-decides on the new state).
 *
 * <p><b>What it does:</b> elects leaders when brokers die or return (unclean election only where the topic allows
 * it, logged at WARN), drops dead and shutting-down brokers from ISRs, moves leadership off a broker that asked for a
 * controlled shutdown ({@code /admin/controlled_shutdown/<id>}), moves leadership back to preferred replicas
 * periodically ({@code auto.leader.rebalance.enable}) and on request ({@code /admin/preferred_replica_election}),
 * deletes topics marked in {@code /admin/delete_topics}, and carries out reassignments
 * ({@link PartitionReassigner}). Topic creation and partition increase write the
 * initial leader with the assignment ({@link MetadataStore#createTopic}); this is safe because no replica has data
 * yet, and it keeps topic creation a single ZooKeeper transaction.
 */
public final class Controller implements MetadataListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Controller.class);
    private static final long RETRY_MS = 500;

    private final MetadataStore metadata;
    private final ZkSession session;
    private final ControllerZnodes znodes;
    private final int brokerId;
    private final Predicate<TopicDescription> uncleanAllowed;
    private final Time time;
    private final ScheduledThreadPoolExecutor loop;
    private final CuratorCache controllerMirror;
    private final CuratorCache adminMirror;
    private final ConnectionStateListener connectionListener;
    private final PartitionReassigner reassigner;
    private ControllerEpochFence fence;
    private volatile int activeEpoch = -1;

    private Controller(
            MetadataStore metadata,
            int brokerId,
            Predicate<TopicDescription> uncleanAllowed,
            Time time,
            ScheduledThreadPoolExecutor loop) {
        this.metadata = metadata;
        this.session = metadata.session();
        this.znodes = new ControllerZnodes(session);
        this.brokerId = brokerId;
        this.uncleanAllowed = uncleanAllowed;
        this.time = time;
        this.loop = loop;
        this.reassigner = znodes.reassigner(metadata);
        this.controllerMirror = znodes.mirror(ZkPaths.CONTROLLER);
        this.adminMirror = znodes.mirror(ZkPaths.ADMIN);
        this.connectionListener = (c, state) -> {
            if (state == ConnectionState.LOST) {
                enqueue(this::resign);
            } else if (state == ConnectionState.RECONNECTED) {
                enqueue(this::elect);
            }
        };
    }

    /**
     * Starts the event loop and takes part in controller elections from now on.
     *
     * @param uncleanAllowed whether a topic allows unclean leader election
     * @param rebalanceIntervalMs period of the preferred-leader check, or 0 to disable it
     */
    public static Controller start(
            MetadataStore metadata,
            int brokerId,
            Predicate<TopicDescription> uncleanAllowed,
            long rebalanceIntervalMs,
            Time time) {
        ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "skein-controller-" + brokerId);
            thread.setDaemon(true);
            return thread;
        });
        Controller controller = new Controller(metadata, brokerId, uncleanAllowed, time, loop);
        controller
                .controllerMirror
                .listenable()
                .addListener(CuratorCacheListener.builder()
                        .forAll((type, before, after) -> controller.enqueue(controller::elect))
                        .build());
        controller
                .adminMirror
                .listenable()
                .addListener(CuratorCacheListener.builder()
                        .forAll((type, before, after) -> controller.enqueue(controller::handleAdminRequests))
                        .build());
        controller.session.addListener(controller.connectionListener);
        controller.controllerMirror.start();
        controller.adminMirror.start();
        metadata.addListener(controller);
        controller.enqueue(controller::elect);
        if (rebalanceIntervalMs > 0) {
            loop.scheduleWithFixedDelay(
                    () -> controller.runSafely(() -> controller.reconcile(true, Set.of())),
                    rebalanceIntervalMs,
                    rebalanceIntervalMs,
                    TimeUnit.MILLISECONDS);
        }
        return controller;
    }

    /** The epoch this broker controls, if it is the active controller. */
    public OptionalInt activeEpoch() {
        int epoch = activeEpoch;
        return epoch < 0 ? OptionalInt.empty() : OptionalInt.of(epoch);
    }

    /** The id of the active controller as last seen in {@code /controller}, if there is one. */
    public OptionalInt controllerId() {
        Optional<ChildData> node = controllerMirror.get(ZkPaths.CONTROLLER);
        if (node.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(ZkJson.parseControllerId(node.get().getData()));
        } catch (IllegalArgumentException e) {
            return OptionalInt.empty();
        }
    }

    @Override
    public void topicChanged(TopicDescription topic) {
        enqueue(() -> {
            reconcile(false, Set.of());
            advanceReassignments();
        });
    }

    private void advanceReassignments() throws Exception {
        Optional<ChildData> request = adminMirror.get(ZkPaths.REASSIGN_PARTITIONS);
        if (fence != null && request.isPresent()) {
            reassigner.advance(
                    fence, request.get().getData(), request.get().getStat().getVersion());
        }
    }

    @Override
    public void brokersChanged(List<BrokerRegistration> liveBrokers) {
        enqueue(() -> reconcile(false, Set.of()));
    }

    private void enqueue(ThrowingEvent event) {
        try {
            loop.execute(() -> runSafely(event));
        } catch (RejectedExecutionException closed) {
            // Closing: events arriving from ZooKeeper after close() have nobody to act on them.
        }
    }

    private void runSafely(ThrowingEvent event) {
        try {
            event.run();
        } catch (ControllerMovedException e) {
            log.warn("{}: {}", fence, e.getMessage());
            resign();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // ZooKeeper trouble (connection loss beyond retries): try the whole step again shortly.
            log.warn("Controller step failed on broker {}, retrying in {} ms: {}", brokerId, RETRY_MS, e.toString());
            if (!loop.isShutdown()) {
                loop.schedule(() -> runSafely(this::elect), RETRY_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void elect() throws Exception {
        ControllerZnodes.Holder holder = znodes.controllerHolder(brokerId);
        if (holder != ControllerZnodes.Holder.NOBODY) {
            boolean ours = holder == ControllerZnodes.Holder.THIS_BROKER;
            if (!ours && fence != null) {
                resign();
            }
            if (ours && fence != null) {
                reconcile(false, Set.of());
            }
            return;
        }
        if (fence != null) {
            resign();
        }
        Optional<ControllerEpochFence> won = znodes.tryElect(brokerId, time.milliseconds());
        if (won.isEmpty()) {
            return;
        }
        fence = won.get();
        activeEpoch = fence.epoch();
        log.info("Broker {} is the controller (epoch {})", brokerId, fence.epoch());
        handleAdminRequests();
    }

    private void resign() {
        if (fence != null) {
            log.info("Broker {} is no longer the controller (was epoch {})", brokerId, fence.epoch());
        }
        fence = null;
        activeEpoch = -1;
    }

    private void handleAdminRequests() throws Exception {
        if (fence == null) {
            return;
        }
        deleteMarkedTopics();
        advanceReassignments();
        Optional<ChildData> election = adminMirror.get(ZkPaths.PREFERRED_REPLICA_ELECTION);
        if (election.isPresent()) {
            Set<TopicPartition> wanted;
            try {
                wanted = new HashSet<>(
                        ZkJson.parsePreferredReplicaElection(election.get().getData()));
            } catch (IllegalArgumentException e) {
                log.error("Ignoring malformed {}: {}", ZkPaths.PREFERRED_REPLICA_ELECTION, e.getMessage());
                wanted = Set.of();
            }
            reconcile(false, wanted);
            try {
                fence.commit(List.of(znodes.preferredElectionRemoval()));
            } catch (KeeperException.NoNodeException e) {
                log.debug("Preferred replica election request already removed");
            }
        } else {
            reconcile(false, Set.of());
        }
    }

    /**
     * Brings every partition to the state {@link LeaderElection} decides.
     *
     * @param allPreferred move every partition to its preferred leader where possible
     * @param preferredFor partitions to move to their preferred leader where possible
     */
    private void reconcile(boolean allPreferred, Set<TopicPartition> preferredFor) throws Exception {
        if (fence == null) {
            return;
        }
        Set<Integer> live = new HashSet<>();
        metadata.liveBrokers().forEach(broker -> live.add(broker.id()));
        Set<Integer> eligible = new HashSet<>(live);
        eligible.removeAll(shuttingDown());
        for (TopicDescription topic : metadata.topics()) {
            boolean unclean = uncleanAllowed.test(topic);
            for (PartitionState state : topic.partitions().values()) {
                TopicPartition tp = new TopicPartition(topic.name(), state.partition());
                boolean preferred = allPreferred || preferredFor.contains(tp);
                Optional<LeaderElection.Decision> decision =
                        LeaderElection.decide(state, eligible, live, unclean, preferred);
                if (decision.isPresent()) {
                    write(tp, state, decision.get());
                }
            }
        }
    }

    private void write(TopicPartition tp, PartitionState current, LeaderElection.Decision decision) throws Exception {
        ZkJson.LeaderAndIsr next =
                new ZkJson.LeaderAndIsr(decision.leader(), decision.leaderEpoch(), decision.isr(), fence.epoch());
        CuratorOp op = znodes.partitionStateWrite(tp, current.zkVersion(), next);
        try {
            fence.commit(List.of(op));
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            // Changed (ISR update by its leader) or deleted since our cache read: the change event re-decides.
            log.debug("State of {} changed under the controller: {}", tp, e.toString());
            return;
        }
        if (decision.unclean()) {
            log.warn(
                    "UNCLEAN leader election for {}: no in-sync replica of {} is live, broker {} leads with epoch {}; "
                            + "acknowledged records not on it are LOST (unclean.leader.election.enable=true)",
                    tp,
                    current.isr(),
                    decision.leader(),
                    decision.leaderEpoch());
        } else if (decision.leader() != current.leader()) {
            log.info(
                    "Controller epoch {}: {} leader {} -> {} (leader epoch {}, ISR {})",
                    fence.epoch(),
                    tp,
                    current.leader(),
                    decision.leader(),
                    decision.leaderEpoch(),
                    decision.isr());
        } else {
            log.info("Controller epoch {}: {} ISR {} -> {}", fence.epoch(), tp, current.isr(), decision.isr());
        }
    }

    private Set<Integer> shuttingDown() {
        Set<Integer> ids = new HashSet<>();
        adminMirror.stream().forEach(node -> {
            String path = node.getPath();
            if (path.startsWith(ZkPaths.CONTROLLED_SHUTDOWN + "/")) {
                try {
                    ids.add(Integer.parseInt(path.substring(ZkPaths.CONTROLLED_SHUTDOWN.length() + 1)));
                } catch (NumberFormatException e) {
                    log.error("Ignoring malformed controlled shutdown request {}", path);
                }
            }
        });
        return Collections.unmodifiableSet(ids);
    }

    private void deleteMarkedTopics() throws Exception {
        List<String> marked = new ArrayList<>();
        adminMirror.stream().forEach(node -> {
            String path = node.getPath();
            if (path.startsWith(ZkPaths.DELETE_TOPICS + "/")) {
                marked.add(path.substring(ZkPaths.DELETE_TOPICS.length() + 1));
            }
        });
        for (String topic : marked) {
            List<CuratorOp> ops = znodes.markedTopicRemoval(topic);
            try {
                // In runs that each fit one ZooKeeper request; the mark goes with the last one.
                for (List<CuratorOp> run : ZkRequestSize.split(ops, ZkRequestSize.budget())) {
                    fence.commit(run);
                }
                log.info(
                        "Controller epoch {}: deleted topic {} marked in {}",
                        fence.epoch(),
                        topic,
                        ZkPaths.DELETE_TOPICS);
            } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException e) {
                log.debug("Topic {} changed while the controller deleted it; the next event retries", topic);
            }
        }
    }

    /** Stops the event loop; the ZooKeeper session (owned by the {@link MetadataStore}) stays open. */
    @Override
    public void close() throws InterruptedException {
        session.removeListener(connectionListener);
        controllerMirror.close();
        adminMirror.close();
        loop.shutdownNow();
        if (!loop.awaitTermination(30, TimeUnit.SECONDS)) {
            log.warn("Controller thread of broker {} did not stop within 30 s", brokerId);
        }
        if (activeEpoch >= 0) {
            giveUpControllerNode();
        }
        activeEpoch = -1;
    }

    /** Lets the other brokers elect a successor now rather than when this broker's session closes. */
    private void giveUpControllerNode() {
        try {
            znodes.giveUpControllerNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The node goes with the session anyway, moments later.
            log.debug("Could not remove {} on shutdown: {}", ZkPaths.CONTROLLER, e.toString());
        }
    }

    @FunctionalInterface
    private interface ThrowingEvent {
        void run() throws Exception;
    }
}
