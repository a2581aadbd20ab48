package dev.skein.broker.it;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

/**
 * A connected Curator client of the test's own (to watch znodes beside the brokers' sessions). Curator 5.9 never stops
 * the notification thread each client starts ({@code Curator-SafeNotifyService-0}, apache/curator#1277, fixed after
 * 5.9): this class owns that thread, and {@link #close()} stops it with the client. The broker's own sessions do the
 * same ({@code ZkSession}).
 */
final class TestCurator implements AutoCloseable {
    private final CuratorFramework client;
    private final ExecutorService notifications;

    private TestCurator(CuratorFramework client, ExecutorService notifications) {
        this.client = client;
        this.notifications = notifications;
    }

    /** Starts a client of {@code connect} and waits until it is connected. */
    static TestCurator connect(String connect) throws InterruptedException {
        ExecutorService notifications = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "Curator-test-notifications");
            thread.setDaemon(true);
            return thread;
        });
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .retryPolicy(new RetryOneTime(100))
                .runSafeService(notifications)
                .build();
        client.start();
        TestCurator curator = new TestCurator(client, notifications);
        try {
            client.blockUntilConnected();
        } catch (InterruptedException | RuntimeException e) {
            curator.close();
            throw e;
        }
        return curator;
    }

    CuratorFramework client() {
        return client;
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            notifications.shutdownNow();
        }
    }
}
