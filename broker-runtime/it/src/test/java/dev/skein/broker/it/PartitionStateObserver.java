package dev.skein.broker.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.kafka.common.TopicPartition;

/**
 * Watches one partition's state znode from the test's own ZooKeeper session: records which leaders each leader epoch
 * had (for the one-leader-per-epoch invariant) and lets a test wait for a state, woken by ZooKeeper changes.
 */
final class PartitionStateObserver implements AutoCloseable {
    /** The parts of the state znode the tests look at. */
    record State(int leader, int leaderEpoch, List<Integer> isr) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestCurator curator;
    private final CuratorCache cache;
    private final Map<Integer, Set<Integer>> leaders = new ConcurrentHashMap<>();
    private State latest;

    private PartitionStateObserver(TestCurator curator, CuratorCache cache) {
        this.curator = curator;
        this.cache = cache;
    }

    static PartitionStateObserver start(String connect, TopicPartition tp) throws InterruptedException {
        TestCurator curator = TestCurator.connect(connect);
        String path = "/brokers/topics/" + tp.topic() + "/partitions/" + tp.partition() + "/state";
        CuratorCache cache = CuratorCache.build(curator.client(), path);
        PartitionStateObserver observer = new PartitionStateObserver(curator, cache);
        cache.listenable()
                .addListener(CuratorCacheListener.builder()
                        .forCreatesAndChanges((before, after) -> observer.record(after.getData()))
                        .build());
        cache.start();
        return observer;
    }

    private void record(byte[] data) {
        State state;
        try {
            JsonNode node = JSON.readTree(data);
            List<Integer> isr = new ArrayList<>();
            node.get("isr").forEach(replica -> isr.add(replica.asInt()));
            state = new State(
                    node.get("leader").asInt(), node.get("leader_epoch").asInt(), List.copyOf(isr));
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("Unreadable partition state " + new String(data, StandardCharsets.UTF_8), e);
        }
        if (state.leader() >= 0) {
            leaders.computeIfAbsent(state.leaderEpoch(), e -> ConcurrentHashMap.newKeySet())
                    .add(state.leader());
        }
        synchronized (this) {
            latest = state;
            notifyAll();
        }
    }

    /** Every leader each leader epoch had, as observed. */
    Map<Integer, Set<Integer>> leadersByEpoch() {
        return Map.copyOf(leaders);
    }

    /** Waits until the state satisfies {@code condition}; fails the test after {@code timeoutMs}. */
    synchronized State await(String what, Predicate<State> condition, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (latest == null || !condition.test(latest)) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new AssertionError("Timed out waiting until " + what + "; state " + latest);
            }
            wait(left);
        }
        return latest;
    }

    @Override
    public void close() {
        cache.close();
        curator.close();
    }
}
