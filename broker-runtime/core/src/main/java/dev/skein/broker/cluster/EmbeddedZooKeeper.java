package dev.skein.broker.cluster;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.zookeeper.server.NIOServerCnxnFactory;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.SessionTracker;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.server.persistence.FileTxnSnapLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node ZooKeeper server running inside the broker's JVM, for clusters without an external ensemble.
 *
 * <p><b>On disk:</b> ZooKeeper's own format under {@code dataDir}: snapshots in {@code dataDir/version-2/snapshot.*}
 * and the transaction log in {@code dataDir/version-2/log.*}. Every write is fsynced to the transaction log before
 * ZooKeeper acknowledges it, so all acknowledged metadata survives a crash and a restart on the same {@code dataDir}.
 *
 * <p><b>What runs:</b> only the ZooKeeper request pipeline and an NIO client listener. The AdminServer (Jetty, port
 * 8080) is started by {@code ZooKeeperServerMain} and the quorum code, neither of which is used here, so it never
 * starts and no {@code zookeeper.admin.enableServer} system property is set. No container-node reaper runs; Skein only
 * creates persistent and ephemeral nodes.
 *
 * <p><b>Threads:</b> {@link #start} returns once the server accepts connections; {@link #close} stops the listener and
 * the request pipeline, waits for their threads, and closes the log. Several instances can run in one JVM, each with
 * its own data directory and port.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
    /** The broker config key that chooses the client port; named in bind errors. */
    public static final String PORT_CONFIG = "skein.zookeeper.embedded.port";

    static final String DEFAULT_BIND_HOST = "127.0.0.1";
    private static final int TICK_TIME_MS = 500;
    private static final int MIN_SESSION_TIMEOUT_MS = 2 * TICK_TIME_MS;
    private static final int MAX_SESSION_TIMEOUT_MS = 60_000;
    private static final int MAX_CLIENT_CONNECTIONS = 1000;
    private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

    private final ZooKeeperServer server;
    private final ServerCnxnFactory connections;
    private final FileTxnSnapLog txnLog;
    private final String host;
    private final int port;

    private EmbeddedZooKeeper(
            ZooKeeperServer server, ServerCnxnFactory connections, FileTxnSnapLog txnLog, String host, int port) {
        this.server = server;
        this.connections = connections;
        this.txnLog = txnLog;
        this.host = host;
        this.port = port;
    }

    /** Starts a server listening on 127.0.0.1; {@code port} 0 picks a free port. */
    public static EmbeddedZooKeeper start(Path dataDir, int port) throws IOException, InterruptedException {
        return start(dataDir, DEFAULT_BIND_HOST, port);
    }

    /**
     * Starts a server that keeps its data in {@code dataDir} (created if missing; existing data is recovered) and listens
     * on {@code bindHost:port}; {@code port} 0 picks a free port.
     *
     * @throws IOException if the port is taken (the message names the port and {@value #PORT_CONFIG}) or the data
     *     directory cannot be used
     */
    public static EmbeddedZooKeeper start(Path dataDir, String bindHost, int port)
            throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        FileTxnSnapLog txnLog = new FileTxnSnapLog(dataDir.toFile(), dataDir.toFile());
        ServerCnxnFactory connections = new NIOServerCnxnFactory();
        ZooKeeperServer server = null;
        try {
            server = new ZooKeeperServer(
                    txnLog, TICK_TIME_MS, MIN_SESSION_TIMEOUT_MS, MAX_SESSION_TIMEOUT_MS, -1, null, "");
            try {
                connections.configure(new InetSocketAddress(bindHost, port), MAX_CLIENT_CONNECTIONS);
            } catch (BindException e) {
                throw new IOException(
                        "Embedded ZooKeeper cannot listen on " + bindHost + ":" + port
                                + ": the port is already in use; choose another with " + PORT_CONFIG
                                + " (0 picks a free port)",
                        e);
            }
            connections.startup(server);
            int boundPort = connections.getLocalPort();
            log.info("Embedded ZooKeeper listening on {}:{} with data in {}", bindHost, boundPort, dataDir);
            return new EmbeddedZooKeeper(server, connections, txnLog, bindHost, boundPort);
        } catch (IOException | InterruptedException | RuntimeException e) {
            shutdown(connections, server, txnLog);
            throw e;
        }
    }

    /** The connect string for clients, e.g. {@code 127.0.0.1:2181}. */
    public String connectString() {
        String printable = host.contains(":") ? "[" + host + "]" : host;
        return printable + ":" + port;
    }

    /** The bound client port (the real one when started with port 0). */
    public int port() {
        return port;
    }

    /** Stops accepting connections, closes all sessions' connections, stops the server threads and closes the log. */
    @Override
    public void close() throws IOException {
        shutdown(connections, server, txnLog);
        log.info("Embedded ZooKeeper on {}:{} stopped", host, port);
    }

    private static void shutdown(ServerCnxnFactory connections, ZooKeeperServer server, FileTxnSnapLog txnLog)
            throws IOException {
        // The factory shuts the server down as well; the explicit call covers a server the factory never started
        // (ZooKeeperServer ignores a shutdown when it is not running).
        SessionTracker sessionTracker = server == null ? null : server.getSessionTracker();
        connections.shutdown();
        if (server != null) {
            server.shutdown(true);
        }
        try {
            connections.join();
            // ZooKeeper stops its session tracker thread but does not wait for it.
            if (sessionTracker instanceof Thread thread) {
                thread.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for ZooKeeper server threads to stop");
        } finally {
            txnLog.close();
        }
    }
}
