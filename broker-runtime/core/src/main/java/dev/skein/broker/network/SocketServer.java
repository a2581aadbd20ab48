package dev.skein.broker.network;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka-protocol TCP listener: one acceptor thread, {@code networkThreads} {@link Processor}s doing socket I/O,
 * and {@code ioThreads} workers running the {@link RequestHandler}. {@link #open} binds and starts everything;
 * {@link #close} stops all threads and closes every socket.
 *
 * <p>Bounds ({@link Settings}): request bytes in flight are reserved from one {@link RequestMemoryPool}; the acceptor
 * closes a new socket at once when {@code max.connections} or {@code max.connections.per.ip} is reached; network
 * threads close connections idle for longer than {@code connections.max.idle.ms}. A thread that dies of a fatal
 * error (out of memory, a broken selector) makes {@link #isAlive} false for good, so the broker fails its liveness
 * check rather than keep a listener that hangs the sockets given to the dead thread; the acceptor stops handing
 * sockets to it meanwhile.
 */
public final class SocketServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SocketServer.class);

    /**
     * Limits and clock of a listener.
     *
     * @param maxRequestBytes largest frame accepted ({@code socket.request.max.bytes}); frames larger than the pool
     *     are refused too
     * @param pool request bytes in flight ({@code queued.max.request.bytes})
     * @param maxConnections {@code max.connections}
     * @param maxConnectionsPerIp {@code max.connections.per.ip}
     * @param connectionsMaxIdleMs {@code connections.max.idle.ms}
     * @param time the clock idle times are measured with
     */
    public record Settings(
            int maxRequestBytes,
            RequestMemoryPool pool,
            int maxConnections,
            int maxConnectionsPerIp,
            long connectionsMaxIdleMs,
            Time time) {}

    private final ServerSocketChannel serverChannel;
    private final List<Processor> processors;
    private final List<Thread> threads;
    private final ExecutorService ioExecutor;
    private final ConnectionQuotas quotas;
    private volatile boolean running = true;
    private volatile String fatalError;

    private SocketServer(ServerSocketChannel serverChannel, ExecutorService ioExecutor, ConnectionQuotas quotas) {
        this.serverChannel = serverChannel;
        this.processors = new ArrayList<>();
        this.threads = new ArrayList<>();
        this.ioExecutor = ioExecutor;
        this.quotas = quotas;
    }

    /**
     * Binds {@code address} and starts serving.
     *
     * @throws BindException naming the address if it is in use
     */
    public static SocketServer open(
            InetSocketAddress address,
            RequestHandler handler,
            int networkThreads,
            int ioThreads,
            Settings settings,
            String threadNamePrefix)
            throws IOException {
        ServerSocketChannel serverChannel = ServerSocketChannel.open();
        try {
            serverChannel.bind(address, 512);
        } catch (BindException e) {
            serverChannel.close();
            BindException named = new BindException("Cannot listen on " + address + ": " + e.getMessage()
                    + " (change 'listeners' or stop what uses the port)");
            named.initCause(e);
            throw named;
        }
        AtomicInteger workerNumber = new AtomicInteger();
        ThreadPoolExecutor ioExecutor = new ThreadPoolExecutor(
                ioThreads, ioThreads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, threadNamePrefix + "-io-" + workerNumber.getAndIncrement());
                    t.setDaemon(true);
                    return t;
                });
        SocketServer server = new SocketServer(
                serverChannel,
                ioExecutor,
                new ConnectionQuotas(settings.maxConnections(), settings.maxConnectionsPerIp()));
        Processor.Listener listener = new Processor.Listener() {
            @Override
            public void connectionClosed(InetAddress client) {
                server.quotas.release(client);
            }

            @Override
            public void fatal(String thread, Throwable error) {
                server.fatalError = thread + ": " + error;
                log.error("Fatal error on {}; the listener reports itself dead", thread, error);
            }
        };
        for (int i = 0; i < networkThreads; i++) {
            Processor processor = new Processor(i, Selector.open(), handler, ioExecutor, settings, listener);
            settings.pool().onRelease(processor::memoryReleased);
            server.processors.add(processor);
            server.threads.add(new Thread(processor, threadNamePrefix + "-network-" + i));
        }
        Thread acceptor = new Thread(server::acceptLoop, threadNamePrefix + "-acceptor");
        server.threads.add(acceptor);
        server.threads.forEach(Thread::start);
        return server;
    }

    /**
     * True while the listener accepts connections, every acceptor, network and I/O thread is running and none has met
     * a fatal error.
     */
    public boolean isAlive() {
        if (!running || fatalError != null || !serverChannel.isOpen() || ioExecutor.isShutdown()) {
            return false;
        }
        for (Thread t : threads) {
            if (!t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** The fatal error that made {@link #isAlive} false, if any (for the health check's detail). */
    public Optional<String> fatalError() {
        return Optional.ofNullable(fatalError);
    }

    /** Connections open now (as counted against {@code max.connections}). */
    public int connectionCount() {
        return quotas.count();
    }

    public InetSocketAddress boundAddress() throws IOException {
        return (InetSocketAddress) serverChannel.getLocalAddress();
    }

    private void acceptLoop() {
        int next = 0;
        while (running) {
            try {
                SocketChannel channel = serverChannel.accept();
                if (admit(channel)) {
                    next = nextLiveProcessor(next);
                    processors.get(next).accept(channel, channel.socket().getInetAddress());
                    next = (next + 1) % processors.size();
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (running) {
                    log.warn("Accepting a connection failed: {}", e.toString());
                }
            }
        }
    }

    /** Counts {@code channel} against the connection quotas, or closes it when over them or already broken. */
    private boolean admit(SocketChannel channel) throws IOException {
        InetAddress client = channel.socket().getInetAddress();
        if (client != null && quotas.tryAcquire(client)) {
            return true;
        }
        log.debug("Refusing a connection from {}: max.connections or max.connections.per.ip reached", client);
        channel.close();
        return false;
    }

    /** {@code from}, or the next processor whose thread still runs (all are tried; falls back to {@code from}). */
    private int nextLiveProcessor(int from) {
        for (int i = 0; i < processors.size(); i++) {
            int candidate = (from + i) % processors.size();
            if (threads.get(candidate).isAlive()) {
                return candidate;
            }
        }
        return from;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        try {
            serverChannel.close();
        } catch (IOException e) {
            log.warn("Closing the listener: {}", e.toString());
        }
        processors.forEach(Processor::shutdown);
        ioExecutor.shutdownNow();
        for (Thread t : threads) {
            t.join(10_000);
        }
        ioExecutor.awaitTermination(10, TimeUnit.SECONDS);
    }
}
