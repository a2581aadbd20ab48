package dev.skein.broker.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy for one link (a broker's ZooKeeper connection, or everything that connects to one broker's listener)
 * whose faults the test switches on and off:
 *
 * <ul>
 *   <li>{@link #resetAll()} closes every open connection (a dropped link; the peers reconnect);
 *   <li>{@link #blackhole(boolean, boolean)} stops forwarding bytes in one or both directions without closing
 *       anything (a one-way or two-way cut: the bytes wait in the proxy and the socket buffers until {@link #heal()},
 *       so the TCP streams stay intact, as with retransmissions across a partition);
 *   <li>{@link #delay(long)} holds every chunk for that many milliseconds before forwarding it;
 *   <li>{@link #peerFault} does either only for the connections a given broker's replica fetcher opened, so one pair of
 *       brokers can be cut or slowed while clients and other brokers pass: a connection's source is read from the
 *       client id of its first request ({@code skein-replica-fetcher-<local broker id>-...}); other connections
 *       (clients, ZooKeeper) have source 0.
 * </ul>
 *
 * While the target port is unknown (-1, e.g. the broker behind it is down) new connections are closed at once.
 * Listens on an ephemeral port of 127.0.0.1; closing stops everything.
 */
final class FaultProxy implements AutoCloseable {
    private final String name;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile int targetPort;
    private volatile long delayMs;
    private boolean cutUpstream;
    private boolean cutDownstream;
    private volatile boolean closed;
    /** Per source broker: {cut upstream, cut downstream, delay ms}. */
    private final Map<Integer, long[]> peerFaults = new ConcurrentHashMap<>();

    FaultProxy(String name, int targetPort) throws IOException {
        this.name = name;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Points new connections at {@code port} (-1: refuse them). Existing connections are left alone. */
    void target(int port) {
        targetPort = port;
    }

    /** Closes every connection currently open through the proxy. */
    void resetAll() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    /** Stops forwarding client-to-server bytes ({@code upstream}) and/or server-to-client bytes. */
    synchronized void blackhole(boolean upstream, boolean downstream) {
        cutUpstream = upstream;
        cutDownstream = downstream;
    }

    void delay(long millis) {
        delayMs = millis;
    }

    /**
     * Cuts (one or both directions) and/or delays only the connections opened by broker {@code sourceBroker}'s replica
     * fetchers; {@link #heal()} ends it.
     */
    synchronized void peerFault(int sourceBroker, boolean upstream, boolean downstream, long delayMillis) {
        peerFaults.put(sourceBroker, new long[] {upstream ? 1 : 0, downstream ? 1 : 0, delayMillis});
    }

    /** Ends every fault: forwarding resumes in both directions without delay. */
    synchronized void heal() {
        cutUpstream = false;
        cutDownstream = false;
        delayMs = 0;
        peerFaults.clear();
        notifyAll();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                int port = targetPort;
                if (port < 0) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket();
                try {
                    upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                } catch (IOException e) {
                    closeQuietly(client);
                    closeQuietly(upstream);
                    continue;
                }
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                open.add(client);
                open.add(upstream);
                AtomicInteger source = new AtomicInteger(-1);
                pump(client, upstream, true, source);
                pump(upstream, client, false, source);
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("fault proxy " + name + ": accept failed: " + e);
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean upstream, AtomicInteger source) {
        Thread thread = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            if (upstream && source.get() < 0) {
                                source.set(sourceBroker(buffer, n));
                            }
                            awaitPassable(upstream, source.get());
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // The connection ends; both sides are closed below.
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                        open.remove(from);
                        open.remove(to);
                    }
                },
                "fault-proxy-" + name + (upstream ? "-up" : "-down"));
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The broker id in the client id of the Kafka request at the start of {@code bytes} if it is a replica fetcher's
     * ({@code skein-replica-fetcher-<id>-...}), else 0. Request header: size, api key, version, correlation id,
     * client id (int16 length + UTF-8).
     */
    static int sourceBroker(byte[] bytes, int length) {
        String prefix = "skein-replica-fetcher-";
        if (length < 14) {
            return 0;
        }
        ByteBuffer header = ByteBuffer.wrap(bytes, 0, length);
        int idLength = header.getShort(12);
        if (idLength < prefix.length() || 14 + idLength > length) {
            return 0;
        }
        String clientId = new String(bytes, 14, idLength, StandardCharsets.UTF_8);
        if (!clientId.startsWith(prefix)) {
            return 0;
        }
        String rest = clientId.substring(prefix.length());
        int dash = rest.indexOf('-');
        try {
            return Integer.parseInt(dash < 0 ? rest : rest.substring(0, dash));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Blocks while this direction is cut (for all, or for this connection's source), then applies the delay. */
    private void awaitPassable(boolean upstream, int source) throws InterruptedException, IOException {
        long[] peer;
        synchronized (this) {
            while (!closed && ((upstream ? cutUpstream : cutDownstream) || peerCut(source, upstream))) {
                wait(100);
            }
            peer = peerFaults.get(source);
        }
        if (closed) {
            throw new IOException("proxy closed");
        }
        long delay = Math.max(delayMs, peer == null ? 0 : peer[2]);
        if (delay > 0) {
            Thread.sleep(delay);
        }
    }

    private boolean peerCut(int source, boolean upstream) {
        long[] fault = peerFaults.get(source);
        return fault != null && fault[upstream ? 0 : 1] == 1;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
        server.close();
        resetAll();
    }
}
