package dev.skein.broker;

import dev.skein.broker.cluster.BrokerRegistration;
import dev.skein.broker.cluster.Controller;
import dev.skein.broker.cluster.EmbeddedZooKeeper;
import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.ProducerIdBlocks;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.group.GroupConfig;
import dev.skein.broker.group.GroupCoordinator;
import dev.skein.broker.log.LogManager;
import dev.skein.broker.log.PartitionLog;
import dev.skein.broker.metrics.BrokerMetrics;
import dev.skein.broker.network.Listener;
import dev.skein.broker.network.RequestMemoryPool;
import dev.skein.broker.network.SocketServer;
import dev.skein.broker.partition.IsrUpdater;
import dev.skein.broker.partition.PartitionRegistry;
import dev.skein.broker.partition.Purgatory;
import dev.skein.broker.partition.TopicAdmin;
import dev.skein.broker.protocol.AdminLane;
import dev.skein.broker.protocol.KafkaApis;
import dev.skein.broker.replica.ReplicaFetcherManager;
import dev.skein.broker.txn.TransactionVerifier;
import dev.skein.broker.txn.coordinator.TransactionCoordinator;
import dev.skein.broker.txn.coordinator.TransactionRuntime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composition root: builds one broker's object graph from a {@link BrokerConfig}. {@link #start(BrokerConfig)}
 * returns once the broker accepts Kafka connections and is registered in ZooKeeper; {@link #close()} stops it and
 * releases every thread, file and port it opened, in reverse order of start. Several brokers may run in one JVM.
 *
 * <p>The accessors ({@link #health()}, {@link #metrics()}, {@link #metadata()}, {@link #partitions()}, {@link #groups()}) are for the
 * server's health checks, metrics and local log details; they may be called from any thread.
 */
public final class Broker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    private final BrokerConfig config;
    private final int port;
    private final String clusterId;
    private final Deque<AutoCloseable> resources;
    private final Components components;
    private final TransactionRuntime transactions;
    private volatile boolean shuttingDown;

    /** The long-lived parts the accessors read. */
    private record Components(
            MetadataStore metadata,
            PartitionRegistry partitions,
            Purgatory fetchPurgatory,
            Purgatory producePurgatory,
            SocketServer server,
            GroupCoordinator groups,
            BrokerMetrics metrics,
            Controller controller) {}

    private Broker(
            BrokerConfig config,
            int port,
            String clusterId,
            Deque<AutoCloseable> resources,
            Components components,
            TransactionRuntime transactions) {
        this.config = config;
        this.port = port;
        this.clusterId = clusterId;
        this.resources = resources;
        this.components = components;
        this.transactions = transactions;
    }

    public static Broker start(BrokerConfig config) throws IOException {
        return start(config, Time.SYSTEM);
    }

    /**
     * Starts a broker. On failure everything started so far is closed again before the exception propagates.
     *
     * @throws IOException if the data directory, ZooKeeper or the listener cannot be set up (message says which)
     */
    public static Broker start(BrokerConfig config, Time time) throws IOException {
        return start(config, time, null);
    }

    /**
     * Like {@link #start(BrokerConfig, Time)} with {@code transactionVerifier} (when not null) answering the partition
     * leaders' transaction verifications instead of the broker's own: for tests that drive transactional produce
     * without a transaction coordinator.
     */
    public static Broker start(BrokerConfig config, Time time, TransactionVerifier transactionVerifier)
            throws IOException {
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            return startWith(config, time, resources, transactionVerifier);
        } catch (IOException | RuntimeException e) {
            closeAll(resources);
            throw e;
        } catch (InterruptedException e) {
            closeAll(resources);
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while starting the broker", e);
        }
    }

    private static Broker startWith(
            BrokerConfig config, Time time, Deque<AutoCloseable> resources, TransactionVerifier verifierOverride)
            throws IOException, InterruptedException {
        long started = time.milliseconds();
        Files.createDirectories(config.dataDir());
        String connect = config.zookeeperConnect();
        if (connect.isBlank()) {
            EmbeddedZooKeeper zookeeper =
                    EmbeddedZooKeeper.start(config.dataDir().resolve("zookeeper"), config.embeddedZookeeperPort());
            resources.push(zookeeper);
            connect = zookeeper.connectString();
        }
        MetadataStore metadata = MetadataStore.connect(connect, config.zookeeperSessionTimeoutMs());
        resources.push(metadata);
        String clusterId = metadata.clusterId(config.clusterId());

        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(2, daemonThreads("skein-scheduler"));
        scheduler.setRemoveOnCancelPolicy(true);
        AutoCloseable stopScheduler = () -> {
            scheduler.shutdownNow();
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        };
        resources.push(stopScheduler);
        LogManager logs = LogManager.open(
                config.dataDir(),
                time,
                scheduler,
                config.retentionCheckIntervalMs(),
                config.flushSchedulerIntervalMs(),
                config.stateCommitIntervalMs(),
                config.cleanerSettings());
        resources.pop();
        // Background log tasks stop before the logs close and write their clean-shutdown state.
        resources.push(() -> {
            stopScheduler.close();
            logs.close();
        });

        scheduleProducerExpiration(scheduler, logs, config);
        PartitionRegistry partitions = new PartitionRegistry(config.brokerId(), config.logDefaults(), logs, time);
        // Its own timer: purgatory timeouts must fire on time whatever else the broker's threads wait for.
        ScheduledThreadPoolExecutor purgatoryTimer =
                new ScheduledThreadPoolExecutor(1, daemonThreads("skein-purgatory-timer"));
        purgatoryTimer.setRemoveOnCancelPolicy(true);
        resources.push(() -> {
            purgatoryTimer.shutdownNow();
            purgatoryTimer.awaitTermination(10, TimeUnit.SECONDS);
        });
        Purgatory fetchPurgatory = new Purgatory(purgatoryTimer);
        // acks=all waits only for the high watermark: in their own purgatory, an append that leaves the high
        // watermark where it was re-checks none of them (Kafka's separate produce and fetch purgatories).
        Purgatory producePurgatory = new Purgatory(purgatoryTimer);
        partitions.addHighWatermarkListener(fetchPurgatory::checkAndComplete);
        partitions.addHighWatermarkListener(producePurgatory::checkAndComplete);
        partitions.addLogEndListener(fetchPurgatory::checkAndComplete);
        ProducerIdBlocks producerIds = metadata.producerIdBlocks(config.brokerId());
        producerIds.start();
        resources.push(producerIds::stop);
        TransactionRuntime transactions = TransactionRuntime.start(
                config.transactionConfig(),
                config.brokerId(),
                config.replicaSocketTimeoutMs(),
                metadata,
                partitions,
                producerIds,
                time);
        resources.push(transactions);
        GroupConfig groupConfig = config.groupConfig();
        GroupCoordinator groups = GroupCoordinator.create(
                groupConfig,
                partitions,
                () -> metadata.topic(Topic.GROUP_METADATA_TOPIC_NAME)
                        .map(TopicDescription::partitionCount)
                        .orElse(groupConfig.offsetsTopicPartitions()),
                scheduler,
                time);
        // This broker's coordinator writes markers to its own partitions directly, not through its listener.
        transactions.deliverMarkersLocally(KafkaApis.localMarkerWriter(partitions, producePurgatory, groups));
        partitions.loadAll(metadata.topics());
        metadata.addListener(partitions);
        metadata.session().onConnectionChange(partitions::metadataSessionChanged);
        // ZooKeeper writes of ISR changes can block up to a session timeout: on their own thread, so log flushes,
        // retention and state checkpoints on the shared scheduler never wait behind them.
        ScheduledThreadPoolExecutor isrThread = new ScheduledThreadPoolExecutor(1, daemonThreads("skein-isr-updater"));
        isrThread.setRemoveOnCancelPolicy(true);
        resources.push(() -> {
            isrThread.shutdownNow();
            isrThread.awaitTermination(10, TimeUnit.SECONDS);
        });
        IsrUpdater isrUpdater = new IsrUpdater(partitions, metadata, isrThread, config.replicaLagTimeMaxMs());
        partitions.setIsrExpansionListener(isrUpdater::requestCheck);
        isrUpdater.start();
        ReplicaFetcherManager fetchers = new ReplicaFetcherManager(
                partitions,
                metadata,
                config.brokerId(),
                config.replicaFetchMaxBytes(),
                config.replicaFetchWaitMaxMs(),
                config.replicaSocketTimeoutMs(),
                config.numReplicaFetchers(),
                time);
        resources.push(fetchers);
        metadata.addListener(fetchers);
        fetchers.start();
        TopicAdmin topicAdmin = new TopicAdmin(config.topicPolicy(), metadata, partitions);
        BrokerMetrics metrics = new BrokerMetrics(time);
        // Admin requests write to ZooKeeper there, never on the request threads (closed after the server below)
        AdminLane adminLane = AdminLane.start(config.numIoThreads(), "skein-broker-" + config.brokerId() + "-admin");
        resources.push(adminLane);

        // The controller starts after the listener; until then this broker names itself, as a lone broker is.
        AtomicReference<Controller> controllerRef = new AtomicReference<>();
        Listener listener = config.listener();
        InetSocketAddress bindAddress = listener.host().isEmpty()
                ? new InetSocketAddress(listener.port())
                : new InetSocketAddress(listener.host(), listener.port());
        SocketServer server = SocketServer.open(
                bindAddress,
                KafkaApis.dispatcher(
                        config,
                        metadata,
                        partitions,
                        topicAdmin,
                        fetchPurgatory,
                        producePurgatory,
                        producerIds,
                        clusterId,
                        () -> currentController(controllerRef.get(), config.brokerId()),
                        groups,
                        metrics,
                        adminLane,
                        transactions.coordinator(),
                        verifierOverride != null ? verifierOverride : transactions.verifier(),
                        // markers committed to __consumer_offsets end transactional offset commits
                        groups),
                config.numNetworkThreads(),
                config.numIoThreads(),
                listenerSettings(config, time),
                "skein-broker-" + config.brokerId());
        resources.push(server);
        int port = server.boundAddress().getPort();
        metadata.registerBroker(advertised(config, port));
        // Started once registered, so a broker that wins the election counts itself live.
        Controller controller = Controller.start(
                metadata,
                config.brokerId(),
                topic -> config.logConfig(topic.configs()).uncleanLeaderElectionEnable(),
                config.leaderRebalanceIntervalMs(),
                time);
        resources.push(controller);
        controllerRef.set(controller);
        if (config.controlledShutdownEnable()) {
            // Runs first on close: leadership moves away while this broker still serves its followers.
            resources.push(() -> {
                // As Kafka's StopReplica: stop following first, so leaders do not take this broker back into ISRs.
                fetchers.close();
                controlledShutdown(metadata, config);
            });
        }
        log.info(
                "Broker {} of cluster {} serving Kafka on port {} (data in {}, started in {} ms)",
                config.brokerId(),
                clusterId,
                port,
                config.dataDir().toAbsolutePath(),
                time.milliseconds() - started);
        return new Broker(
                config,
                port,
                clusterId,
                resources,
                new Components(
                        metadata, partitions, fetchPurgatory, producePurgatory, server, groups, metrics, controller),
                transactions);
    }

    /** Forgets idle idempotent producers ({@code producer.id.expiration.ms}) so producer state cannot grow forever. */
    private static void scheduleProducerExpiration(
            ScheduledThreadPoolExecutor scheduler, LogManager logs, BrokerConfig config) {
        long expirationMs = config.producerIdExpirationMs();
        long intervalMs = config.producerIdExpirationCheckIntervalMs();
        scheduler.scheduleWithFixedDelay(
                () -> {
                    int removed = 0;
                    for (PartitionLog partitionLog : logs.logs()) {
                        try {
                            removed += partitionLog.removeExpiredProducers(expirationMs);
                        } catch (RuntimeException e) {
                            log.warn("Expiring producer ids of {}: {}", partitionLog.topicPartition(), e.toString());
                        }
                    }
                    if (removed > 0) {
                        log.debug("Forgot {} producer ids idle for {} ms", removed, expirationMs);
                    }
                },
                intervalMs,
                intervalMs,
                TimeUnit.MILLISECONDS);
    }

    private static SocketServer.Settings listenerSettings(BrokerConfig config, Time time) {
        RequestMemoryPool pool = new RequestMemoryPool(config.queuedMaxRequestBytes());
        if (pool.capacity() < config.socketRequestMaxBytes()) {
            log.info(
                    "Request memory pool of {} bytes (a quarter of the heap): frames above it are refused although "
                            + "socket.request.max.bytes is {}",
                    pool.capacity(),
                    config.socketRequestMaxBytes());
        }
        return new SocketServer.Settings(
                config.socketRequestMaxBytes(),
                pool,
                config.maxConnections(),
                config.maxConnectionsPerIp(),
                config.connectionsMaxIdleMs(),
                time);
    }

    private static int currentController(Controller controller, int self) {
        return controller == null ? self : controller.controllerId().orElse(self);
    }

    private static void controlledShutdown(MetadataStore metadata, BrokerConfig config) throws InterruptedException {
        if (!metadata.requestControlledShutdown(config.brokerId(), config.controlledShutdownTimeoutMs())) {
            log.warn(
                    "Controlled shutdown of broker {}: leadership did not move within {} ms; stopping anyway",
                    config.brokerId(),
                    config.controlledShutdownTimeoutMs());
        }
    }

    private static BrokerRegistration advertised(BrokerConfig config, int boundPort) {
        Listener advertised = config.advertisedListener();
        if (advertised != null) {
            return new BrokerRegistration(config.brokerId(), advertised.host(), advertised.port(), rack(config));
        }
        String host = config.listener().host();
        boolean wildcard = host.isEmpty() || host.equals("0.0.0.0") || host.equals("::");
        return new BrokerRegistration(config.brokerId(), wildcard ? "localhost" : host, boundPort, rack(config));
    }

    private static String rack(BrokerConfig config) {
        return config.rack().isBlank() ? null : config.rack();
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger number = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + number.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    /** The port the Kafka listener is bound to (useful when configured as 0). */
    public int port() {
        return port;
    }

    public String clusterId() {
        return clusterId;
    }

    public BrokerConfig config() {
        return config;
    }

    /** What this broker's readiness and liveness depend on, as of now. */
    public BrokerHealth health() {
        boolean zookeeper = components.metadata().session().isConnected();
        return new BrokerHealth(zookeeper, components.server().isAlive(), shuttingDown);
    }

    /** Request, topic and log counters, for the metrics endpoint. */
    public BrokerMetrics metrics() {
        return components.metrics();
    }

    /** The cluster metadata this broker sees (topics, live brokers), served from its cache. */
    public MetadataStore metadata() {
        return components.metadata();
    }

    /** The partitions whose logs this broker hosts. */
    public PartitionRegistry partitions() {
        return components.partitions();
    }

    /** The consumer group coordinator of the {@code __consumer_offsets} partitions this broker leads. */
    public GroupCoordinator groups() {
        return components.groups();
    }

    /**
     * Requests parked in the purgatories: fetches waiting for data ({@code fetch.min.bytes}/{@code fetch.max.wait.ms})
     * and acks=all produces waiting for the in-sync replicas.
     */
    public int fetchPurgatorySize() {
        return components.fetchPurgatory().size()
                + components.producePurgatory().size();
    }

    /** The transaction coordinator of the {@code __transaction_state} partitions this broker leads. */
    public TransactionCoordinator transactions() {
        return transactions.coordinator();
    }

    /** What this broker's partition leaders ask before appending a transactional batch (KIP-890 part 1). */
    public TransactionVerifier transactionVerifier() {
        return transactions.verifier();
    }

    /** This broker's controller, active when {@link Controller#activeEpoch()} is present. */
    public Controller controller() {
        return components.controller();
    }

    @Override
    public void close() {
        shuttingDown = true;
        closeAll(resources);
        log.info("Broker {} stopped", config.brokerId());
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.warn("Error while stopping the broker: {}", e.toString());
            }
        }
    }
}
