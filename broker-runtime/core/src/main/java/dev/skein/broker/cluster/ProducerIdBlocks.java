package dev.skein.broker.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Hands out producer ids that are unique across the cluster and across restarts. Each broker claims blocks of
 * {@value #BLOCK_SIZE} ids from the znode {@code /latest_producer_id_block} (Kafka's layout:
 * {@code {"version":1,"broker":B,"block_start":"S","block_end":"E"}}) with a version-checked write, so two brokers
 * never claim the same block, and serves ids from its block in memory. Thread-safe.
 */
public final class ProducerIdBlocks {
    static final String PATH = "/latest_producer_id_block";
    static final int BLOCK_SIZE = 1000;

    private final CuratorFramework zk;
    private final int brokerId;
    private final ObjectMapper json = new ObjectMapper();
    private long next;
    private long blockEnd = -1;
    /** Highest producer id known to be allocated by any broker: the end of the latest block seen. */
    private volatile long allocatedEnd = -1;

    public ProducerIdBlocks(CuratorFramework zk, int brokerId) {
        this.zk = zk;
        this.brokerId = brokerId;
    }

    /** The next unused producer id. */
    public synchronized long nextProducerId() {
        if (next > blockEnd) {
            claimBlock();
        }
        return next++;
    }

    /**
     * Whether some broker of the cluster handed out {@code producerId}: it lies in a block claimed so far. An id above
     * the highest block this broker has seen rereads the block znode once; if ZooKeeper cannot be read the id is
     * given the benefit of the doubt (producers keep working through a ZooKeeper hiccup).
     */
    public boolean wasAllocated(long producerId) {
        if (producerId < 0) {
            return false;
        }
        if (producerId <= allocatedEnd) {
            return true;
        }
        synchronized (this) {
            try {
                if (zk.checkExists().forPath(PATH) == null) {
                    return false;
                }
                JsonNode current = json.readTree(zk.getData().forPath(PATH));
                allocatedEnd = Math.max(
                        allocatedEnd, Long.parseLong(current.get("block_end").asText()));
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                return true;
            }
            return producerId <= allocatedEnd;
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
        allocatedEnd = Math.max(allocatedEnd, blockEnd);
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
