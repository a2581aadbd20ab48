package dev.skein.broker.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.network.Send;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network thread: owns a selector and the connections assigned to it, reads frames, hands them to the request
 * handler on the I/O executor, and writes responses. Only {@link #accept} and {@link #complete} may be called from
 * other threads; they enqueue work and wake the selector.
 */
final class Processor implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Processor.class);

    private record Outcome(Connection connection, Send send, String closeReason) {}

    private final int index;
    private final Selector selector;
    private final RequestHandler handler;
    private final ExecutorService ioExecutor;
    private final int maxRequestBytes;
    private final Queue<SocketChannel> newConnections = new ConcurrentLinkedQueue<>();
    private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private long nextConnectionNumber;

    Processor(int index, Selector selector, RequestHandler handler, ExecutorService ioExecutor, int maxRequestBytes) {
        this.index = index;
        this.selector = selector;
        this.handler = handler;
        this.ioExecutor = ioExecutor;
        this.maxRequestBytes = maxRequestBytes;
    }

    void accept(SocketChannel channel) {
        newConnections.add(channel);
        selector.wakeup();
    }

    void complete(Connection connection, Send send, String closeReason) {
        outcomes.add(new Outcome(connection, send, closeReason));
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
                registerNewConnections();
                applyOutcomes();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    serve(key);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.error("Network thread {} failed; its connections are closed", index, e);
        } finally {
            for (SelectionKey key : selector.keys()) {
                ((Connection) key.attachment()).closeQuietly();
            }
            try {
                selector.close();
            } catch (IOException e) {
                log.warn("Closing selector of network thread {}: {}", index, e.toString());
            }
        }
    }

    private void registerNewConnections() throws IOException {
        SocketChannel channel;
        while ((channel = newConnections.poll()) != null) {
            channel.configureBlocking(false);
            channel.socket().setTcpNoDelay(true);
            String id = channel.getRemoteAddress() + "-" + index + "-" + nextConnectionNumber++;
            Connection connection = new Connection(id, channel, this, maxRequestBytes);
            connection.attach(channel.register(selector, SelectionKey.OP_READ, connection));
        }
    }

    private void applyOutcomes() {
        Outcome outcome;
        while ((outcome = outcomes.poll()) != null) {
            Connection connection = outcome.connection();
            if (!connection.socket().isOpen()) {
                continue;
            }
            if (outcome.closeReason() != null) {
                log.warn("Closing connection {}: {}", connection.connectionId(), outcome.closeReason());
                connection.closeQuietly();
                continue;
            }
            try {
                if (outcome.send() == null || connection.startSend(outcome.send())) {
                    requestDone(connection);
                }
            } catch (IOException e) {
                drop(connection, e);
            }
        }
    }

    private void serve(SelectionKey key) {
        Connection connection = (Connection) key.attachment();
        try {
            if (key.isValid() && key.isWritable() && connection.writePending()) {
                requestDone(connection);
            }
            if (key.isValid() && key.isReadable() && !connection.inFlight()) {
                dispatch(connection, connection.readFrame());
            }
        } catch (Connection.FrameException e) {
            log.warn("Closing connection {}: {}", connection.connectionId(), e.getMessage());
            connection.closeQuietly();
        } catch (IOException e) {
            drop(connection, e);
        }
    }

    /** The previous request is answered: serve a frame that was pipelined behind it, if any. */
    private void requestDone(Connection connection) throws IOException {
        connection.finishRequest();
        try {
            dispatch(connection, connection.nextBufferedFrame());
        } catch (Connection.FrameException e) {
            log.warn("Closing connection {}: {}", connection.connectionId(), e.getMessage());
            connection.closeQuietly();
        }
    }

    private void dispatch(Connection connection, ByteBuffer frame) {
        if (frame == null) {
            return;
        }
        connection.startRequest();
        try {
            ioExecutor.execute(() -> handleSafely(connection, frame));
        } catch (RejectedExecutionException e) {
            connection.closeQuietly();
        }
    }

    private void handleSafely(Connection connection, ByteBuffer frame) {
        try {
            handler.handle(frame, connection);
        } catch (RuntimeException e) {
            log.error("Request handler failed on connection {}", connection.connectionId(), e);
            connection.close("internal error while handling a request: " + e);
        }
    }

    private static void drop(Connection connection, IOException e) {
        log.debug("Connection {} dropped: {}", connection.connectionId(), e.toString());
        connection.closeQuietly();
    }
}
