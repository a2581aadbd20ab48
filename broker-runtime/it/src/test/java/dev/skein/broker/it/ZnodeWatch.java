package dev.skein.broker.it;

import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;

/** Mirrors one znode's data (as text, null while absent) from the test's own session; waits are change-driven. */
final class ZnodeWatch implements AutoCloseable {
    private final TestCurator curator;
    private final CuratorCache cache;
    private String data;

    private ZnodeWatch(TestCurator curator, CuratorCache cache) {
        this.curator = curator;
        this.cache = cache;
    }

    static ZnodeWatch start(String connect, String path) throws InterruptedException {
        TestCurator curator = TestCurator.connect(connect);
        CuratorCache cache = CuratorCache.build(curator.client(), path);
        ZnodeWatch watch = new ZnodeWatch(curator, cache);
        cache.listenable()
                .addListener(CuratorCacheListener.builder()
                        .forCreatesAndChanges(
                                (before, after) -> watch.set(new String(after.getData(), StandardCharsets.UTF_8)))
                        .forDeletes(deleted -> watch.set(null))
                        .build());
        cache.start();
        return watch;
    }

    private synchronized void set(String text) {
        data = text;
        notifyAll();
    }

    /** Waits until the data satisfies {@code condition} (null = absent) and returns it; fails after the timeout. */
    synchronized String await(String what, Predicate<String> condition, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.test(data)) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new AssertionError("Timed out waiting until " + what + "; data " + data);
            }
            wait(left);
        }
        return data;
    }

    @Override
    public void close() {
        cache.close();
        curator.close();
    }
}
