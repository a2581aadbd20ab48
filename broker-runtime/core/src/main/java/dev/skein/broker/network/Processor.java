package dev.skein.broker.network;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.network.Send;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network thread: owns a selector and the connections assigned to it, reads frames, hands them to the request
 * handler on the I/O executor, writes responses, wakes connections waiting for request memory and closes connections
 * idle longer than {@code connections.max.idle.ms}. Only {@link #accept}, {@link #complete}, {@link #memoryReleased}
 * and {@link #shutdown} may be called from other threads; they enqueue work and wake the selector.
 *
 * <p>Failure containment: anything a single connection or request throws — including an {@link Error} such as a
 * {@code StackOverflowError}, or an unchecked exception from a zero-copy send whose file was truncated meanwhile —
 * closes that connection only. An {@link OutOfMemoryError} is fatal: it is reported to the listener ({@link
 * Listener#fatal}), which fails the broker's liveness for good (a network thread also stops). The process itself is
 * stopped by {@code -XX:+ExitOnOutOfMemoryError} (set by {@code ./skein} and the image) for errors the JVM raises.
 */
final class Processor implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Processor.class);

    private record Outcome(Connection connection, Send send, String closeReason) {}

    private record Accepted(SocketChannel channel, InetAddress client) {}

    /** What a processor shares with the rest of the listener. */
    interface Listener {
        /** A connection accepted for this processor is closed: its quota slot is free again. */
        void connectionClosed(InetAddress client);

        /** A thread met an error that the process cannot recover from. */
        void fatal(String thread, Throwable error);
    }

    private final int index;
    private final Selector selector;
    private final RequestHandler handler;
    private final ExecutorService ioExecutor;
    private final SocketServer.Settings settings;
    private final Listener listener;
    private final ByteBuffer scratch = ByteBuffer.allocate(Connection.FIRST_CHUNK_BYTES);
    private final Queue<Accepted> newConnections = new ConcurrentLinkedQueue<>();
    private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final List<Connection> awaitingMemory = new ArrayList<>();
    private volatile boolean running = true;
    private volatile boolean memoryReleased;
    private long nextConnectionNumber;
    private long nextIdleCheckMs;

    Processor(
            int index,
            Selector selector,
            RequestHandler handler,
            ExecutorService ioExecutor,
            SocketServer.Settings settings,
            Listener listener) {
        this.index = index;
        this.selector = selector;
        this.handler = handler;
        this.ioExecutor = ioExecutor;
        this.settings = settings;
        this.listener = listener;
    }

    /** Takes over {@code channel}, already counted in the connection quotas for {@code client}. */
    void accept(SocketChannel channel, InetAddress client) {
        newConnections.add(new Accepted(channel, client));
        selector.wakeup();
    }

    void complete(Connection connection, Send send, String closeReason) {
        outcomes.add(new Outcome(connection, send, closeReason));
        selector.wakeup();
    }

    /** Request memory was returned to the pool: retry the connections waiting for it. */
    void memoryReleased() {
        memoryReleased = true;
        selector.wakeup();
    }

    void shutdown() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                selector.select(500);
                try {
                    registerNewConnections();
                    applyOutcomes();
                    retryAwaitingMemory();
                    serveSelected();
                    closeIdleConnections();
                } catch (RuntimeException e) {
                    // A bug outside any one connection's handling; the next iteration starts from a clean state.
                    log.error("Network thread {} failed an iteration; it keeps serving", index, e);
                }
            }
        } catch (IOException e) {
            listener.fatal(Thread.currentThread().getName(), e);
        } catch (OutOfMemoryError e) {
            listener.fatal(Thread.currentThread().getName(), e);
        } finally {
            closeAll();
        }
    }

    private void closeAll() {
        for (SelectionKey key : selector.keys()) {
            close((Connection) key.attachment());
        }
        Accepted pending;
        while ((pending = newConnections.poll()) != null) {
            closeUnregistered(pending);
        }
        try {
            selector.close();
        } catch (IOException e) {
            log.warn("Closing selector of network thread {}: {}", index, e.toString());
        }
    }

    private void serveSelected() {
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            serve(key);
        }
    }

    private void registerNewConnections() {
        Accepted accepted;
        while ((accepted = newConnections.poll()) != null) {
            SocketChannel channel = accepted.channel();
            try {
                channel.configureBlocking(false);
                channel.socket().setTcpNoDelay(true);
                String id = channel.getRemoteAddress() + "-" + index + "-" + nextConnectionNumber++;
                Connection connection = new Connection(
                        id,
                        channel,
                        this,
                        settings.pool(),
                        settings.maxRequestBytes(),
                        settings.time().milliseconds());
                connection.attach(channel.register(selector, SelectionKey.OP_READ, connection));
            } catch (IOException e) {
                log.debug("Registering a new connection failed: {}", e.toString());
                closeUnregistered(accepted);
            }
        }
    }

    private void closeUnregistered(Accepted accepted) {
        try {
            accepted.channel().close();
        } catch (IOException ignored) {
            // already broken
        }
        listener.connectionClosed(accepted.client());
    }

    private void applyOutcomes() {
        Outcome outcome;
        while ((outcome = outcomes.poll()) != null) {
            Connection connection = outcome.connection();
            if (connection.isClosed()) {
                continue;
            }
            if (outcome.closeReason() != null) {
                log.warn("Closing connection {}: {}", connection.connectionId(), outcome.closeReason());
                close(connection);
                continue;
            }
            try {
                long now = settings.time().milliseconds();
                if (outcome.send() == null || connection.startSend(outcome.send(), now)) {
                    connection.finishRequest(now);
                }
            } catch (IOException e) {
                drop(connection, e);
            } catch (OutOfMemoryError e) {
                throw e;
            } catch (Throwable e) { // NOSONAR: one connection's failure, even an Error, must not end the thread
                closeAfterFailure(connection, "writing a response", e);
            }
        }
    }

    private void retryAwaitingMemory() {
        if (!memoryReleased) {
            return;
        }
        memoryReleased = false;
        List<Connection> retry = new ArrayList<>(awaitingMemory);
        awaitingMemory.clear();
        for (Connection connection : retry) {
            if (!connection.isClosed()) {
                read(connection);
            }
        }
    }

    private void serve(SelectionKey key) {
        Connection connection = (Connection) key.attachment();
        try {
            if (key.isValid()
                    && key.isWritable()
                    && connection.writePending(settings.time().milliseconds())) {
                connection.finishRequest(settings.time().milliseconds());
            }
            if (key.isValid() && key.isReadable()) {
                if (connection.inFlight()) {
                    connection.readAhead(scratch, settings.time().milliseconds());
                } else {
                    read(connection);
                }
            }
        } catch (Connection.FrameException e) {
            log.warn("Closing connection {}: {}", connection.connectionId(), e.getMessage());
            close(connection);
        } catch (IOException e) {
            drop(connection, e);
        } catch (OutOfMemoryError e) {
            throw e;
        } catch (Throwable e) { // NOSONAR: one connection's failure, even an Error, must not end the thread
            closeAfterFailure(connection, "serving it", e);
        }
    }

    private void read(Connection connection) {
        try {
            ByteBuffer frame = connection.readFrame(scratch, settings.time().milliseconds());
            if (frame != null) {
                dispatch(connection, frame);
            } else if (connection.awaitingMemory()) {
                awaitingMemory.add(connection);
            }
        } catch (Connection.FrameException e) {
            log.warn("Closing connection {}: {}", connection.connectionId(), e.getMessage());
            close(connection);
        } catch (IOException e) {
            drop(connection, e);
        }
    }

    private void dispatch(Connection connection, ByteBuffer frame) {
        connection.startRequest();
        try {
            ioExecutor.execute(() -> handleSafely(connection, frame));
        } catch (RejectedExecutionException e) {
            close(connection);
        }
    }

    /** Runs on an I/O thread: whatever the handler throws ends this request's connection, never the thread. */
    private void handleSafely(Connection connection, ByteBuffer frame) {
        try {
            handler.handle(frame, connection);
        } catch (OutOfMemoryError e) {
            connection.close("out of memory while handling a request");
            listener.fatal(Thread.currentThread().getName(), e);
        } catch (Throwable e) { // NOSONAR: a request's failure, even an Error, must not end the I/O thread
            log.error("Request handler failed on connection {}", connection.connectionId(), e);
            connection.close("internal error while handling a request: " + e);
        }
    }

    private void closeIdleConnections() {
        long now = settings.time().milliseconds();
        if (now < nextIdleCheckMs) {
            return;
        }
        long idleMs = settings.connectionsMaxIdleMs();
        nextIdleCheckMs = now + Math.min(1000, Math.max(1, idleMs / 10));
        for (SelectionKey key : selector.keys()) {
            Connection connection = (Connection) key.attachment();
            if (!connection.inFlight() && now - connection.lastActivityMs() > idleMs) {
                log.debug("Closing connection {}: idle for more than {} ms", connection.connectionId(), idleMs);
                close(connection);
            }
        }
    }

    private void closeAfterFailure(Connection connection, String doing, Throwable e) {
        log.error("Closing connection {}: failure while {}", connection.connectionId(), doing, e);
        close(connection);
    }

    private void drop(Connection connection, IOException e) {
        log.debug("Connection {} dropped: {}", connection.connectionId(), e.toString());
        close(connection);
    }

    private void close(Connection connection) {
        if (connection.closeQuietly()) {
            listener.connectionClosed(connection.clientAddress());
        }
    }
}
