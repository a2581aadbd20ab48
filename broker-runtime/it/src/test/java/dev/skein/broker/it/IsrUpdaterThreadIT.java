package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.partition.IsrUpdaterTestAccess;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 11: the ISR updater's ZooKeeper writes can block for up to a session timeout, so its checks run on
 * their own thread ({@code skein-isr-updater}), never on the broker's shared scheduler (log flushes, retention,
 * state checkpoints) nor on the purgatory timer. A real broker is started with a short {@code
 * replica.lag.time.max.ms} so its periodic check runs within the test; the hook that observes the check also holds
 * it, as a stuck ZooKeeper write would, while the test checks which threads are held.
 */
class IsrUpdaterThreadIT {
    @TempDir
    Path dataDir;

    private BrokerHarness harness;

    @AfterEach
    void stop() throws Exception {
        IsrUpdaterTestAccess.reset();
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void isrChecksRunOnTheirOwnThreadNotOnTheSharedScheduler() throws Exception {
        CompletableFuture<Thread> checker = new CompletableFuture<>();
        CountDownLatch release = new CountDownLatch(1);
        IsrUpdaterTestAccess.beforeEachCheck(() -> {
            if (checker.complete(Thread.currentThread())) {
                try {
                    release.await(30, TimeUnit.SECONDS); // a ZooKeeper write stuck for a while
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        harness = BrokerHarness.start(dataDir, Map.of("replica.lag.time.max.ms", "200"));
        try {
            Thread thread = checker.get(30, TimeUnit.SECONDS);
            assertThat(thread.getName()).startsWith("skein-isr-updater-");
            // While the check is held, the broker still serves: its other threads do not wait behind it.
            harness.createTopic("while-isr-blocked", 1, Map.of());
            assertThat(harness.admin().listTopics().names().get(30, TimeUnit.SECONDS))
                    .contains("while-isr-blocked");
        } finally {
            release.countDown();
        }
    }
}
