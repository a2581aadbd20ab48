package dev.skein.broker.cluster;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.retry.RetryUntilElapsed;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's ZooKeeper session: the Curator client and the thread that delivers its notifications. Outside the
 * {@code cluster} package only the session's health is visible ({@link #isConnected()}, {@link #onConnectionChange});
 * the client itself stays inside, behind the registrar, the writer and the controller.
 *
 * <p><b>Threads:</b> all methods are thread-safe. Connection callbacks run on the notification thread and must not
 * block.
 */
public final class ZkSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ZkSession.class);
    private static final long RETRY_SLEEP_MS = 100;

    private final CuratorFramework client;
    private final ExecutorService notifications;
    private final int sessionTimeoutMs;

    private ZkSession(CuratorFramework client, ExecutorService notifications, int sessionTimeoutMs) {
        this.client = client;
        this.notifications = notifications;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    /**
     * Opens a session and creates the persistent parent znodes ({@link ZkPaths#PERSISTENT_ROOTS}) if missing.
     *
     * @throws IOException if ZooKeeper is not reachable within {@code sessionTimeoutMs}
     */
    static ZkSession open(String connectString, int sessionTimeoutMs) throws IOException, InterruptedException {
        // Curator does not wait for its notification thread on close; owning it lets close() do so.
        ExecutorService notifications = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "skein-zookeeper-notifications");
            thread.setDaemon(true);
            return thread;
        });
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .runSafeService(notifications)
                .connectString(connectString)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(sessionTimeoutMs)
                .retryPolicy(new RetryUntilElapsed(sessionTimeoutMs, (int) RETRY_SLEEP_MS))
                // The ensemble is what the operator configured; don't follow /zookeeper/config.
                .ensembleTracker(false)
                .build();
        client.start();
        ZkSession session = new ZkSession(client, notifications, sessionTimeoutMs);
        try {
            if (!client.blockUntilConnected(sessionTimeoutMs, TimeUnit.MILLISECONDS)) {
                throw new IOException("Cannot reach ZooKeeper at " + connectString + " within " + sessionTimeoutMs
                        + " ms (zookeeper.connect, zookeeper.session.timeout.ms)");
            }
            for (String root : ZkPaths.PERSISTENT_ROOTS) {
                session.createIfAbsent(root);
            }
            return session;
        } catch (IOException | InterruptedException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** Whether the session is connected to ZooKeeper now. */
    public boolean isConnected() {
        return client.getZookeeperClient().isConnected();
    }

    /** Calls {@code connected} with the new connection state whenever the session connects, suspends or is lost. */
    public void onConnectionChange(Consumer<Boolean> connected) {
        client.getConnectionStateListenable().addListener((c, state) -> connected.accept(state.isConnected()));
    }

    /** The Curator client, for the {@code cluster} package's ZooKeeper code only. */
    CuratorFramework client() {
        return client;
    }

    void addListener(ConnectionStateListener listener) {
        client.getConnectionStateListenable().addListener(listener);
    }

    void removeListener(ConnectionStateListener listener) {
        client.getConnectionStateListenable().removeListener(listener);
    }

    /** The session id ZooKeeper gave this session (the owner of its ephemeral znodes). */
    long sessionId() throws Exception {
        return client.getZookeeperClient().getZooKeeper().getSessionId();
    }

    /** The configured session timeout. */
    int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    /** The timeout ZooKeeper granted, or the configured one before it granted any. */
    int negotiatedSessionTimeoutMs() throws Exception {
        int negotiated = client.getZookeeperClient().getZooKeeper().getSessionTimeout();
        return negotiated > 0 ? negotiated : sessionTimeoutMs;
    }

    /** Closes the session (its ephemeral znodes go at once) and waits for the notification thread to stop. */
    @Override
    public void close() throws InterruptedException {
        client.close();
        notifications.shutdown();
        if (!notifications.awaitTermination(30, TimeUnit.SECONDS)) {
            log.warn("ZooKeeper notification thread did not stop within 30 s");
        }
    }

    private void createIfAbsent(String path) throws IOException, InterruptedException {
        try {
            client.create().creatingParentsIfNeeded().forPath(path);
        } catch (KeeperException.NodeExistsException e) {
            // Already there: the normal case after the first start.
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("Cannot create " + path + " in ZooKeeper: " + e, e);
        }
    }
}
