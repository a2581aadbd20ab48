package dev.skein.broker.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy for one link (a broker's ZooKeeper connection, or everything that connects to one broker's listener)
 * whose faults the test switches on and off:
 *
 * <ul>
 *   <li>{@link #resetAll()} closes every open connection (a dropped link; the peers reconnect);
 *   <li>{@link #blackhole(boolean, boolean)} stops forwarding bytes in one or both directions without closing
 *       anything (a one-way or two-way cut: the bytes wait in the proxy and the socket buffers until {@link #heal()},
 *       so the TCP streams stay intact, as with retransmissions across a partition);
 *   <li>{@link #delay(long)} holds every chunk for that many milliseconds before forwarding it.
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

    /** Ends every fault: forwarding resumes in both directions without delay. */
    synchronized void heal() {
        cutUpstream = false;
        cutDownstream = false;
        delayMs = 0;
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
                pump(client, upstream, true);
                pump(upstream, client, false);
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("fault proxy " + name + ": accept failed: " + e);
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean upstream) {
        Thread thread = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            awaitPassable(upstream);
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

    /** Blocks while this direction is cut, then applies the configured delay. */
    private void awaitPassable(boolean upstream) throws InterruptedException, IOException {
        synchronized (this) {
            while (!closed && (upstream ? cutUpstream : cutDownstream)) {
                wait(100);
            }
        }
        if (closed) {
            throw new IOException("proxy closed");
        }
        long delay = delayMs;
        if (delay > 0) {
            Thread.sleep(delay);
        }
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
