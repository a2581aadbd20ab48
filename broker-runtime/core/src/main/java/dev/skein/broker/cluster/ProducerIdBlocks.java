package dev.skein.broker.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;

/**
 * Hands out producer ids that are unique across the cluster and across restarts. Each broker claims blocks of
 * {@value #BLOCK_SIZE} ids from the znode {@code /latest_producer_id_block} (Kafka's layout:
 * {@code {"version":1,"broker":B,"block_start":"S","block_end":"E"}}) with a version-checked write, so two brokers
 * never claim the same block, and serves ids from its block in memory.
 *
 * <p>{@link #allocation} answers whether an id was handed out from a view of that znode kept current by a ZooKeeper
 * watch ({@link #start}), so the request threads that ask never wait for ZooKeeper. The view only grows (blocks are
 * claimed in increasing order), so an id it covers is allocated even while ZooKeeper is unreachable; an id above it
 * is {@link Allocation#UNKNOWN} — never let through — while the view may be behind: before the first read, while the
 * session is suspended or lost, and for ids within {@value #MAYBE_BLOCKS} blocks above it (another broker may have
 * claimed them a moment ago). Such an answer starts a background re-read (at most one is in flight), so a view left
 * behind by a failed read heals on the next question.
 *
 * <p>Thread-safe: {@link #nextProducerId} is synchronized (it may write to ZooKeeper); {@link #allocation} takes no
 * lock. Watch and connection callbacks run on Curator's event thread and only start background reads.
 */
public final class ProducerIdBlocks {
    static final String PATH = "/latest_producer_id_block";
    static final int BLOCK_SIZE = 1000;
    /** Blocks above the known end within which an id may have been claimed by another broker just now. */
    static final int MAYBE_BLOCKS = 10;

    /** Whether a producer id was handed out by some broker of the cluster. */
    public enum Allocation {
        ALLOCATED,
        NOT_ALLOCATED,
        /** The view of the claimed blocks may be behind (ZooKeeper unreachable, or a claim not seen yet). */
        UNKNOWN
    }

    private final CuratorFramework zk;
    private final int brokerId;
    private final ObjectMapper json = new ObjectMapper();
    private final Watcher blockWatcher = event -> refresh();
    private final ConnectionStateListener connectionListener = this::connectionChanged;
    private final AtomicBoolean reading = new AtomicBoolean();
    private long next;
    private long blockEnd = -1;
    /** Highest producer id known to be allocated by any broker: the end of the latest block seen. */
    private final AtomicLong allocatedEnd = new AtomicLong(-1);
    /** Whether the last read of the block znode succeeded and the session has stayed connected since. */
    private volatile boolean current;

    public ProducerIdBlocks(CuratorFramework zk, int brokerId) {
        this.zk = zk;
        this.brokerId = brokerId;
    }

    /** Starts watching the block znode: a first read in the background, then one after each change or reconnect. */
    public void start() {
        zk.getConnectionStateListenable().addListener(connectionListener);
        refresh();
    }

    /** Stops watching (the Curator client itself is closed by its owner). */
    public void stop() {
        zk.getConnectionStateListenable().removeListener(connectionListener);
    }

    /** The next unused producer id. */
    public synchronized long nextProducerId() {
        if (next > blockEnd) {
            claimBlock();
        }
        return next++;
    }

    /**
     * Whether some broker of the cluster handed out {@code producerId} (see the class doc). Never blocks; an answer
     * other than {@link Allocation#ALLOCATED} must refuse the id.
     */
    public Allocation allocation(long producerId) {
        if (producerId < 0) {
            return Allocation.NOT_ALLOCATED;
        }
        long end = allocatedEnd.get();
        if (producerId <= end) {
            return Allocation.ALLOCATED;
        }
        if (!current) {
            refresh(); // a failed read re-arms nothing: the next question asks again
            return Allocation.UNKNOWN;
        }
        if (producerId - end <= (long) MAYBE_BLOCKS * BLOCK_SIZE) {
            refresh();
            return Allocation.UNKNOWN;
        }
        return Allocation.NOT_ALLOCATED;
    }

    /** Reads the block znode in the background and re-arms the watch; at most one read is in flight. */
    private void refresh() {
        if (!reading.compareAndSet(false, true)) {
            return;
        }
        try {
            zk.getData()
                    .usingWatcher(blockWatcher)
                    .inBackground((client, event) -> readDone(event))
                    .forPath(PATH);
        } catch (Exception e) {
            reading.set(false);
            current = false;
        }
    }

    private void readDone(CuratorEvent event) {
        reading.set(false);
        int rc = event.getResultCode();
        if (rc == KeeperException.Code.NONODE.intValue()) {
            // No block claimed yet: nothing is allocated; watch for the creation.
            current = watchCreation();
            return;
        }
        if (rc != KeeperException.Code.OK.intValue()) {
            current = false;
            return;
        }
        try {
            long end = Long.parseLong(
                    json.readTree(event.getData()).get("block_end").asText());
            allocatedEnd.accumulateAndGet(end, Math::max);
            current = true;
        } catch (IOException | RuntimeException e) {
            current = false;
        }
    }

    private boolean watchCreation() {
        try {
            zk.checkExists().usingWatcher(blockWatcher).inBackground().forPath(PATH);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private void connectionChanged(CuratorFramework client, ConnectionState state) {
        if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
            current = false;
        } else if (state.isConnected()) {
            refresh();
        }
    }

    private void claimBlock() {
        try {
            while (true) {
                Stat stat = zk.checkExists().forPath(PATH);
                if (stat == null) {
                    if (tryCreate(0)) {
                        return;
                    }
                    continue;
                }
                JsonNode current = json.readTree(zk.getData().forPath(PATH));
                long start = Long.parseLong(current.get("block_end").asText()) + 1;
                byte[] data = encode(start);
                try {
                    zk.setData().withVersion(stat.getVersion()).forPath(PATH, data);
                    use(start);
                    return;
                } catch (KeeperException.BadVersionException e) {
                    // another broker claimed a block meanwhile: read again
                }
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new KafkaStorageException("Cannot claim a producer id block in ZooKeeper: " + e, e);
        }
    }

    private boolean tryCreate(long start) throws Exception {
        try {
            zk.create().creatingParentsIfNeeded().forPath(PATH, encode(start));
            use(start);
            return true;
        } catch (KeeperException.NodeExistsException e) {
            return false;
        }
    }

    private void use(long start) {
        next = start;
        blockEnd = start + BLOCK_SIZE - 1;
        allocatedEnd.accumulateAndGet(blockEnd, Math::max);
    }

    private byte[] encode(long start) throws Exception {
        Map<String, Object> block = Map.of(
                "version",
                1,
                "broker",
                brokerId,
                "block_start",
                Long.toString(start),
                "block_end",
                Long.toString(start + BLOCK_SIZE - 1));
        return json.writeValueAsString(block).getBytes(StandardCharsets.UTF_8);
    }
}
