package dev.skein.broker.partition;

import dev.skein.broker.cluster.MetadataStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the ISR changes the partitions this broker leads propose ({@link Partition#proposedIsr}) to their state
 * znodes, with a zkVersion-conditional update so a concurrent controller decision wins. Runs on the scheduler: every
 * half {@code replica.lag.time.max.ms} (to find laggards) and soon after a follower became eligible to rejoin
 * ({@link #requestCheck}). A failed conditional write is simply retried by the next check on fresher state. Before
 * writing, the partition is told ({@link Partition#isrChangeSent}) so that its high watermark already counts the
 * replicas of the new ISR: another broker may read it, and be elected from it, before this one sees it come back.
 */
public final class IsrUpdater {
    private static final Logger log = LoggerFactory.getLogger(IsrUpdater.class);

    private final PartitionRegistry partitions;
    private final MetadataStore metadata;
    private final ScheduledExecutorService scheduler;
    private final long lagMaxMs;
    private final AtomicBoolean checkPending = new AtomicBoolean();

    /** For tests only: run at the start of every check, on the thread that runs it (and writes ZooKeeper). */
    static volatile Runnable beforeCheckForTests = () -> {};

    public IsrUpdater(
            PartitionRegistry partitions, MetadataStore metadata, ScheduledExecutorService scheduler, long lagMaxMs) {
        this.partitions = partitions;
        this.metadata = metadata;
        this.scheduler = scheduler;
        this.lagMaxMs = lagMaxMs;
    }

    /** Schedules the periodic check; it stops with the scheduler. */
    public void start() {
        long period = Math.max(1, lagMaxMs / 2);
        scheduler.scheduleWithFixedDelay(this::checkAll, period, period, TimeUnit.MILLISECONDS);
    }

    /** Asks for a check soon; requests made while one is pending are merged. */
    public void requestCheck() {
        if (checkPending.compareAndSet(false, true)) {
            scheduler.execute(() -> {
                checkPending.set(false);
                checkAll();
            });
        }
    }

    /**
     * A follower that still fetches but is not registered (its session expired) must not rejoin: the controller
     * would take it out again at once, and the two would keep rewriting the state znode.
     */
    private List<Integer> withoutUnregisteredJoiners(Partition.IsrChange change) {
        Set<Integer> live = new HashSet<>();
        metadata.liveBrokers().forEach(broker -> live.add(broker.id()));
        List<Integer> isr = new ArrayList<>();
        for (int replica : change.isr()) {
            if (change.from().isr().contains(replica) || live.contains(replica)) {
                isr.add(replica);
            }
        }
        return isr;
    }

    /** Proposes and writes ISR changes for every partition this broker leads. */
    public void checkAll() {
        beforeCheckForTests.run();
        for (Partition partition : partitions.all()) {
            Optional<Partition.IsrChange> change = partition.proposedIsr(lagMaxMs);
            if (change.isEmpty()) {
                continue;
            }
            List<Integer> isr = withoutUnregisteredJoiners(change.get());
            if (isr.equals(change.get().from().isr())) {
                continue;
            }
            // Counted for the high watermark before any other broker can read it from ZooKeeper.
            partition.isrChangeSent(change.get(), isr);
            try {
                metadata.updateIsr(partition.topicPartition(), change.get().from(), isr);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (KafkaException e) {
                // ZooKeeper unavailable: the next periodic check tries again.
                log.warn("Cannot update the ISR of {}: {}", partition.topicPartition(), e.toString());
            }
        }
    }
}
