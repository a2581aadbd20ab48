package dev.skein.broker.txn.coordinator;

import dev.skein.broker.partition.PartitionRegistry;
import dev.skein.broker.txn.coordinator.TransactionShards.Shard;
import dev.skein.broker.txn.coordinator.TransactionTransitions.Decision;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator of this broker (KIP-98): serves the transactional ids whose {@code __transaction_state}
 * partition ({@code abs(transactionalId.hashCode()) % partitions}) this broker leads. The state machine is in
 * {@link TransactionTransitions}, the writes and markers in {@link TransactionWriter}; this class takes the requests
 * and follows partition leadership ({@link #onBecomeLeader}/{@link #onResign}, loading in
 * {@link TransactionStateLoader}); the periodic checks are in {@link TransactionSweeps}, admin views in
 * {@link TransactionViews}.
 *
 * <p>Both flows of {@code transaction.version} are served side by side, per request version as Kafka tells them apart:
 * EndTxn v0-4 ends a transaction at its epoch ({@link #endTransaction}); EndTxn v5+ bumps the epoch at every end
 * ({@link #endTransactionV2}, KIP-890 part 2), and its client's partitions are added by the partition leaders
 * ({@link #addPartitions(String, long, short, Set, short)}).
 *
 * <p>Loading: a partition this broker starts leading answers COORDINATOR_LOAD_IN_PROGRESS while its log is replayed on
 * {@code loadExecutor} (last record per id wins, tombstones delete); then every PrepareCommit/PrepareAbort it holds
 * gets its markers (re)sent and is completed, as Kafka's coordinator does after a failover.
 *
 * <p>Threading: one lock per transactional id; every public method may be called from any thread and returns without
 * waiting for ZooKeeper or the log (futures complete when the acks=all write to {@code __transaction_state} is
 * committed).
 */
public final class TransactionCoordinator {
    private static final Logger log = LoggerFactory.getLogger(TransactionCoordinator.class);

    private final TransactionConfig config;
    private final TransactionShards shards;
    private final StateLog stateLog;
    private final TransactionWriter writer;
    private final Supplier<CompletableFuture<Long>> producerIds;
    private final Executor loadExecutor;
    private final Time time;
    private final TransactionStateLoader loader;
    private final TransactionSweeps sweeps;

    /** Pause before markers or a Complete entry are tried again. */
    static final long RETRY_BACKOFF_MS = 100;

    /** The longest a leader's add waits for the markers of the id's previous transaction (Kafka's default: 100 ms). */
    static final long MARKERS_WAIT_MS = 100;

    /** InitProducerId's answer: the error, or the producer id and epoch to use. */
    public record InitResult(Errors error, long producerId, short producerEpoch) {
        static InitResult failed(Errors error) {
            return new InitResult(error, -1, (short) -1);
        }
    }

    TransactionCoordinator(
            TransactionConfig config,
            TransactionShards shards,
            StateLog stateLog,
            TransactionWriter writer,
            Supplier<CompletableFuture<Long>> producerIds,
            Executor loadExecutor,
            Time time) {
        this.config = config;
        this.shards = shards;
        this.stateLog = stateLog;
        this.writer = writer;
        this.producerIds = producerIds;
        this.loadExecutor = loadExecutor;
        this.time = time;
        this.loader = new TransactionStateLoader(shards, stateLog, writer, time);
        this.sweeps = new TransactionSweeps(config, shards, writer, time);
    }

    /**
     * Builds the coordinator of a broker: it follows this broker's leadership of {@code __transaction_state}
     * partitions (register before the registry loads its partitions) and runs the timeout and expiration checks on
     * {@code scheduler}, which also runs loads and retries.
     *
     * @param partitionCount partitions of {@code __transaction_state} (the existing topic's, else the configured count)
     * @param producerIds a new cluster-unique producer id, without blocking the caller
     */
    public static TransactionCoordinator create(
            TransactionConfig config,
            PartitionRegistry partitions,
            IntSupplier partitionCount,
            Supplier<CompletableFuture<Long>> producerIds,
            TransactionMarkerSender markers,
            ScheduledExecutorService scheduler,
            Time time) {
        TransactionShards shards = new TransactionShards(partitionCount);
        CoordinatorTopicLog stateLog = new CoordinatorTopicLog(partitions, Topic.TRANSACTION_STATE_TOPIC_NAME);
        TransactionWriter writer =
                new TransactionWriter(shards, stateLog, markers, Retries.on(scheduler), RETRY_BACKOFF_MS, time);
        TransactionCoordinator coordinator =
                new TransactionCoordinator(config, shards, stateLog, writer, producerIds, scheduler, time);
        partitions.addLeadershipListener((tp, leader) -> {
            if (tp.topic().equals(Topic.TRANSACTION_STATE_TOPIC_NAME)) {
                if (leader) {
                    coordinator.onBecomeLeader(tp.partition());
                } else {
                    coordinator.onResign(tp.partition());
                }
            }
        });
        periodically(scheduler, config.abortTimedOutIntervalMs(), coordinator::abortTimedOutTransactions);
        periodically(scheduler, config.removeExpiredIntervalMs(), coordinator::expireTransactionalIds);
        return coordinator;
    }

    private static void periodically(ScheduledExecutorService scheduler, long intervalMs, IntSupplier task) {
        scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        task.getAsInt();
                    } catch (RuntimeException e) {
                        log.error("Transaction coordinator check failed", e);
                    }
                },
                intervalMs,
                intervalMs,
                TimeUnit.MILLISECONDS);
    }

    /** The coordinator's own thread, for work a request must not wait for (creating {@code __transaction_state}). */
    public Executor backgroundExecutor() {
        return loadExecutor;
    }

    /** DescribeTransactions and ListTransactions. */
    public TransactionViews views() {
        return new TransactionViews(shards, time);
    }

    /** The {@code __transaction_state} partition of {@code transactionalId}. */
    public int partitionFor(String transactionalId) {
        return shards.partitionFor(transactionalId);
    }

    /** NONE if this broker coordinates {@code transactionalId} now, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
    public Errors checkCoordinator(String transactionalId) {
        return shards.check(transactionalId);
    }

    /**
     * InitProducerId with a transactional id: a producer id and a bumped epoch (fencing earlier instances); see
     * {@link TransactionTransitions#init} for the rules.
     *
     * @param expectedProducerId the client's current producer id (KIP-360), or -1
     * @param expectedEpoch the client's current epoch, or -1
     */
    public CompletableFuture<InitResult> initProducerId(
            String transactionalId, int timeoutMs, long expectedProducerId, short expectedEpoch) {
        if (transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(InitResult.failed(Errors.INVALID_REQUEST));
        }
        if (timeoutMs <= 0 || timeoutMs > config.maxTimeoutMs()) {
            return CompletableFuture.completedFuture(InitResult.failed(Errors.INVALID_TRANSACTION_TIMEOUT));
        }
        Errors coordinator = shards.check(transactionalId);
        if (coordinator != Errors.NONE) {
            return CompletableFuture.completedFuture(InitResult.failed(coordinator));
        }
        Shard shard = shards.shardOf(transactionalId);
        TransactionMetadata meta = shard.ids.get(transactionalId);
        if (meta != null) {
            return init(shard, meta, timeoutMs, expectedProducerId, expectedEpoch, -1);
        }
        return withProducerId(producerId -> {
            if (!shards.isCurrent(shard)) {
                return CompletableFuture.completedFuture(InitResult.failed(Errors.NOT_COORDINATOR));
            }
            TransactionMetadata created = shard.ids.computeIfAbsent(
                    transactionalId,
                    id -> new TransactionMetadata(
                            id,
                            shard.partition,
                            TransactionTransitions.fresh(producerId, timeoutMs, time.milliseconds())));
            return init(shard, created, timeoutMs, expectedProducerId, expectedEpoch, -1);
        });
    }

    private CompletableFuture<InitResult> withProducerId(
            java.util.function.LongFunction<CompletableFuture<InitResult>> next) {
        return producerIds
                .get()
                .handle((producerId, failure) -> {
                    if (failure != null) {
                        log.warn("No producer id for a transactional producer: {}", failure.toString());
                        return CompletableFuture.completedFuture(InitResult.failed(Errors.COORDINATOR_NOT_AVAILABLE));
                    }
                    return next.apply(producerId);
                })
                .thenCompose(f -> f);
    }

    private CompletableFuture<InitResult> init(
            Shard shard,
            TransactionMetadata meta,
            int timeoutMs,
            long expectedProducerId,
            short expectedEpoch,
            long freshProducerId) {
        synchronized (meta) {
            if (meta.pending != null) {
                return CompletableFuture.completedFuture(InitResult.failed(Errors.CONCURRENT_TRANSACTIONS));
            }
            Decision decision = TransactionTransitions.init(
                    meta.entry, timeoutMs, expectedProducerId, expectedEpoch, freshProducerId, time.milliseconds());
            switch (decision.action()) {
                case ANSWER:
                    return CompletableFuture.completedFuture(InitResult.failed(decision.error()));
                case NEED_PRODUCER_ID:
                    return withProducerId(id -> init(shard, meta, timeoutMs, expectedProducerId, expectedEpoch, id));
                case FENCE:
                    log.info(
                            "Aborting the ongoing transaction of {} (producer {} epoch {}): a new instance initialized",
                            meta.transactionalId,
                            meta.entry.producerId(),
                            meta.entry.producerEpoch());
                    writer.abortOngoing(shard, meta);
                    return CompletableFuture.completedFuture(InitResult.failed(Errors.CONCURRENT_TRANSACTIONS));
                default:
                    TransactionEntry next = decision.next();
                    return writer.write(shard, meta, next)
                            .thenApply(error -> error == Errors.NONE
                                    ? new InitResult(Errors.NONE, next.producerId(), next.producerEpoch())
                                    : InitResult.failed(error));
            }
        }
    }

    /**
     * AddPartitionsToTxn (client versions) and AddOffsetsToTxn (with the group's {@code __consumer_offsets}
     * partition): adds {@code partitions} to the transaction, starting it if none is open.
     */
    public CompletableFuture<Errors> addPartitions(
            String transactionalId, long producerId, short epoch, Set<TopicPartition> partitions) {
        return addPartitions(transactionalId, producerId, epoch, partitions, TransactionEntry.LEGACY_CLIENT);
    }

    /**
     * Like {@link #addPartitions(String, long, short, Set)} for a client of {@code clientVersion}: a partition leader
     * adds a partition for a {@code transaction.version} 2 client ({@link TransactionEntry#TV2_CLIENT}: produce v12+,
     * TxnOffsetCommit v5+, AddPartitionsToTxn v4+ without {@code verifyOnly}).
     */
    public CompletableFuture<Errors> addPartitions(
            String transactionalId, long producerId, short epoch, Set<TopicPartition> partitions, short clientVersion) {
        return addPartitions(transactionalId, producerId, epoch, partitions, clientVersion, true);
    }

    /**
     * A leader's add for a {@code transaction.version} 2 client waits for what keeps the id busy instead of answering
     * CONCURRENT_TRANSACTIONS at once, which would cost the client a retry backoff: another add in flight (the
     * partitions of one produce request are added at once), or, once and for at most {@link #MARKERS_WAIT_MS}, the
     * markers of the transaction its EndTxn v5 just ended (the client starts the next one at once), as Kafka's leaders
     * retry such adds for {@code add.partitions.to.txn.retry.backoff.max.ms}.
     */
    private CompletableFuture<Errors> addPartitions(
            String transactionalId,
            long producerId,
            short epoch,
            Set<TopicPartition> partitions,
            short clientVersion,
            boolean mayWaitForMarkers) {
        if (clientVersion >= TransactionEntry.TV2_CLIENT) {
            CompletableFuture<?> busy = busyWith(transactionalId, mayWaitForMarkers);
            if (busy != null) {
                return busy.handleAsync((ignored, failure) -> null, loadExecutor)
                        .thenCompose(ignored ->
                                addPartitions(transactionalId, producerId, epoch, partitions, clientVersion, false));
            }
        }
        return withMetadata(transactionalId, producerId, epoch, (shard, meta) -> {
            Decision decision = TransactionTransitions.addPartitions(
                    meta.entry, producerId, epoch, partitions, clientVersion, time.milliseconds());
            return decision.action() == TransactionTransitions.Action.WRITE
                    ? writer.write(shard, meta, decision.next())
                    : CompletableFuture.completedFuture(decision.error());
        });
    }

    /**
     * What an add may wait for: the write of another add in flight (pending Ongoing), or, when allowed, the end of a
     * prepared transaction (bounded by {@link #MARKERS_WAIT_MS}); null when the id is not busy with either.
     */
    private CompletableFuture<?> busyWith(String transactionalId, boolean mayWaitForMarkers) {
        if (shards.check(transactionalId) != Errors.NONE) {
            return null;
        }
        TransactionMetadata meta = shards.shardOf(transactionalId).ids.get(transactionalId);
        if (meta == null) {
            return null;
        }
        synchronized (meta) {
            if (meta.pending == TransactionState.ONGOING) {
                return meta.lastWrite;
            }
            boolean ending = meta.entry.state().isPrepare()
                    || meta.pending == TransactionState.COMPLETE_COMMIT
                    || meta.pending == TransactionState.COMPLETE_ABORT;
            return mayWaitForMarkers && ending && !meta.ended.isDone()
                    ? meta.ended.copy().completeOnTimeout(null, MARKERS_WAIT_MS, TimeUnit.MILLISECONDS)
                    : null;
        }
    }

    /**
     * EndTxn up to version 4 ({@code transaction.version} 0/1): writes PrepareCommit/PrepareAbort and answers once it
     * is committed; markers and the Complete entry follow in the background.
     */
    public CompletableFuture<Errors> endTransaction(
            String transactionalId, long producerId, short epoch, boolean commit) {
        return withMetadata(transactionalId, producerId, epoch, (shard, meta) -> {
            Decision decision = TransactionTransitions.end(meta.entry, producerId, epoch, commit, time.milliseconds());
            return decision.action() == TransactionTransitions.Action.WRITE
                    ? writer.prepare(
                            shard, meta, decision.next(), decision.next().state())
                    : CompletableFuture.completedFuture(decision.error());
        });
    }

    /** EndTxn's answer: the error, and from version 5 the producer id and epoch the client continues with. */
    public record EndResult(Errors error, long producerId, short producerEpoch) {}

    /**
     * EndTxn version 5+ ({@code transaction.version} 2, KIP-890 part 2): the transaction ends at a bumped epoch (a new
     * producer id when it overflows), which the answer names; see {@link TransactionTransitions#endV2}. Answers once
     * the Prepare entry is committed; markers, written with the bumped epoch, and the Complete entry follow.
     */
    public CompletableFuture<EndResult> endTransactionV2(
            String transactionalId, long producerId, short epoch, boolean commit) {
        Errors coordinator = shards.check(transactionalId);
        if (coordinator != Errors.NONE) {
            return CompletableFuture.completedFuture(new EndResult(coordinator, producerId, epoch));
        }
        Shard shard = shards.shardOf(transactionalId);
        TransactionMetadata meta = shard.ids.get(transactionalId);
        if (meta == null) {
            return CompletableFuture.completedFuture(
                    new EndResult(Errors.INVALID_PRODUCER_ID_MAPPING, producerId, epoch));
        }
        return endV2(shard, meta, producerId, epoch, commit, -1);
    }

    private CompletableFuture<EndResult> endV2(
            Shard shard, TransactionMetadata meta, long producerId, short epoch, boolean commit, long fresh) {
        synchronized (meta) {
            if (meta.pending != null) {
                return CompletableFuture.completedFuture(
                        new EndResult(Errors.CONCURRENT_TRANSACTIONS, producerId, epoch));
            }
            TransactionEntry current = meta.entry;
            Decision decision =
                    TransactionTransitions.endV2(current, producerId, epoch, commit, fresh, time.milliseconds());
            switch (decision.action()) {
                case NEED_PRODUCER_ID:
                    return producerIds
                            .get()
                            .handle((id, failure) -> failure == null
                                    ? endV2(shard, meta, producerId, epoch, commit, id)
                                    : CompletableFuture.completedFuture(
                                            new EndResult(Errors.COORDINATOR_NOT_AVAILABLE, producerId, epoch)))
                            .thenCompose(f -> f);
                case WRITE:
                    TransactionEntry prepared = decision.next();
                    TransactionEntry completed =
                            TransactionTransitions.complete(prepared, prepared.updateTimestampMs());
                    return writer.prepare(shard, meta, prepared, prepared.state())
                            .thenApply(error -> error == Errors.NONE
                                    ? new EndResult(Errors.NONE, completed.producerId(), completed.producerEpoch())
                                    : new EndResult(error, producerId, epoch));
                default:
                    return CompletableFuture.completedFuture(
                            decision.error() == Errors.NONE
                                    ? new EndResult(Errors.NONE, current.producerId(), current.producerEpoch())
                                    : new EndResult(decision.error(), producerId, epoch));
            }
        }
    }

    /**
     * KIP-890 part 1: whether {@code partition} is in the ongoing transaction of this producer, as this coordinator
     * sees it (the coordinator errors when it does not serve the id).
     */
    public Errors verifyLocally(String transactionalId, long producerId, short epoch, TopicPartition partition) {
        Errors coordinator = shards.check(transactionalId);
        if (coordinator != Errors.NONE) {
            return coordinator;
        }
        TransactionMetadata meta = shards.shardOf(transactionalId).ids.get(transactionalId);
        if (meta == null) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        synchronized (meta) {
            Errors producer = TransactionTransitions.checkProducer(meta.entry, producerId, epoch);
            if (producer != Errors.NONE || meta.pending == null) {
                return producer != Errors.NONE
                        ? producer
                        : TransactionTransitions.verify(meta.entry, producerId, epoch, partition);
            }
            return Errors.CONCURRENT_TRANSACTIONS;
        }
    }

    private interface Operation {
        CompletableFuture<Errors> apply(Shard shard, TransactionMetadata meta);
    }

    /** Runs {@code operation} under the id's lock, after the checks every request naming a producer shares. */
    private CompletableFuture<Errors> withMetadata(
            String transactionalId, long producerId, short epoch, Operation operation) {
        Errors coordinator = shards.check(transactionalId);
        if (coordinator != Errors.NONE) {
            return CompletableFuture.completedFuture(coordinator);
        }
        Shard shard = shards.shardOf(transactionalId);
        TransactionMetadata meta = shard.ids.get(transactionalId);
        if (meta == null) {
            return CompletableFuture.completedFuture(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        synchronized (meta) {
            Errors producer = TransactionTransitions.checkProducer(meta.entry, producerId, epoch);
            if (producer != Errors.NONE) {
                return CompletableFuture.completedFuture(producer);
            }
            if (meta.pending != null) {
                return CompletableFuture.completedFuture(Errors.CONCURRENT_TRANSACTIONS);
            }
            return operation.apply(shard, meta);
        }
    }

    /** This broker now leads {@code __transaction_state-partition}: load it (in the background). */
    public void onBecomeLeader(int partition) {
        Shard shard = shards.startLoading(partition);
        loadExecutor.execute(() -> loader.load(shard));
    }

    /** This broker no longer leads the partition: forget its ids; work in flight for them stops. */
    public void onResign(int partition) {
        Shard shard = shards.remove(partition);
        if (shard != null) {
            log.info(
                    "Resigned as transaction coordinator of __transaction_state-{} ({} ids)",
                    partition,
                    shard.ids.size());
        }
    }

    /** Aborts ongoing transactions older than their timeout (fencing their producer); run periodically. */
    public int abortTimedOutTransactions() {
        return sweeps.abortTimedOutTransactions();
    }

    /** Removes ids idle for {@code transactional.id.expiration.ms} (tombstone first); run periodically. */
    public int expireTransactionalIds() {
        return sweeps.expireTransactionalIds();
    }
}
