package dev.skein.broker.network;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka-protocol TCP listener: one acceptor thread, {@code networkThreads} {@link Processor}s doing socket I/O,
 * and {@code ioThreads} workers running the {@link RequestHandler}. {@link #open} binds and starts everything;
 * {@link #close} stops all threads and closes every socket.
 */
public final class SocketServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SocketServer.class);

    private final ServerSocketChannel serverChannel;
    private final List<Processor> processors;
    private final List<Thread> threads;
    private final ExecutorService ioExecutor;
    private volatile boolean running = true;

    private SocketServer(
            ServerSocketChannel serverChannel,
            List<Processor> processors,
            List<Thread> threads,
            ExecutorService ioExecutor) {
        this.serverChannel = serverChannel;
        this.processors = processors;
        this.threads = threads;
        this.ioExecutor = ioExecutor;
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
            int maxRequestBytes,
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
        List<Processor> processors = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < networkThreads; i++) {
            Processor processor = new Processor(i, Selector.open(), handler, ioExecutor, maxRequestBytes);
            processors.add(processor);
            threads.add(new Thread(processor, threadNamePrefix + "-network-" + i));
        }
        SocketServer server = new SocketServer(serverChannel, processors, threads, ioExecutor);
        Thread acceptor = new Thread(server::acceptLoop, threadNamePrefix + "-acceptor");
        threads.add(acceptor);
        threads.forEach(Thread::start);
        return server;
    }

    /** True while the listener accepts connections and every acceptor, network and I/O thread is running. */
    public boolean isAlive() {
        if (!running || !serverChannel.isOpen() || ioExecutor.isShutdown()) {
            return false;
        }
        for (Thread t : threads) {
            if (!t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    public InetSocketAddress boundAddress() throws IOException {
        return (InetSocketAddress) serverChannel.getLocalAddress();
    }

    private void acceptLoop() {
        int next = 0;
        while (running) {
            try {
                SocketChannel channel = serverChannel.accept();
                processors.get(next).accept(channel);
                next = (next + 1) % processors.size();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (running) {
                    log.warn("Accepting a connection failed: {}", e.toString());
                }
            }
        }
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
