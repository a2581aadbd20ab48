package dev.skein.broker.txn.coordinator;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.function.IntFunction;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BrokerClient} over plain Kafka-protocol connections: one daemon thread and one connection per destination
 * broker, requests sent one at a time in submission order (each at the builder's latest version: the peer is a Skein
 * broker of the same build). Callers only enqueue. A failed connection fails the request it carried (the caller
 * retries) and is reopened for the next one. {@link #close} closes every connection (a request in flight fails at
 * once instead of waiting for its read timeout), stops every thread and fails what is queued; a request sent while or
 * after the client closes fails too: no future is left pending.
 */
public final class NetworkBrokerClient implements BrokerClient, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NetworkBrokerClient.class);

    /** Where a broker listens. */
    public record Address(String host, int port) {}

    private final IntFunction<Address> addresses;
    private final int timeoutMs;
    private final String clientId;
    private final ThreadFactory threads;
    private final Map<Integer, Channel> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param addresses a broker's address, or null if it is not live */
    public NetworkBrokerClient(IntFunction<Address> addresses, int timeoutMs, String clientId) {
        this(addresses, timeoutMs, clientId, r -> new Thread(r));
    }

    /** @param threads makes each destination's thread (named and made a daemon here) */
    NetworkBrokerClient(IntFunction<Address> addresses, int timeoutMs, String clientId, ThreadFactory threads) {
        this.addresses = addresses;
        this.timeoutMs = timeoutMs;
        this.clientId = clientId;
        this.threads = threads;
    }

    private record Pending(AbstractRequest.Builder<?> request, CompletableFuture<AbstractResponse> future) {}

    @Override
    public CompletableFuture<AbstractResponse> send(int brokerId, AbstractRequest.Builder<?> request) {
        CompletableFuture<AbstractResponse> future = new CompletableFuture<>();
        if (closed) {
            future.completeExceptionally(new IOException("broker client closed"));
            return future;
        }
        Channel channel = channels.computeIfAbsent(brokerId, this::startChannel);
        channel.queue.add(new Pending(request, future));
        if (closed) {
            // close() may have run since the check above: the channel's thread may have drained its queue before the
            // add, and close() may not have seen a channel created meanwhile.
            channel.failQueued();
            channel.thread.interrupt();
        }
        return future;
    }

    private Channel startChannel(int brokerId) {
        Channel channel = new Channel(brokerId);
        Thread thread = threads.newThread(channel);
        thread.setName(clientId + "-to-" + brokerId);
        thread.setDaemon(true);
        channel.thread = thread;
        thread.start();
        return channel;
    }

    private final class Channel implements Runnable {
        final int brokerId;
        final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
        volatile Thread thread;
        /** Written by the channel's thread; read by {@link NetworkBrokerClient#close} to unblock it. */
        private volatile Socket socket;

        private int correlationId;

        Channel(int brokerId) {
            this.brokerId = brokerId;
        }

        @Override
        public void run() {
            try {
                while (!closed) {
                    Pending pending = queue.take();
                    try {
                        pending.future().complete(exchange(pending.request()));
                    } catch (IOException | RuntimeException e) {
                        disconnect();
                        pending.future().completeExceptionally(e);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                disconnect();
                failQueued();
            }
        }

        void failQueued() {
            Pending left;
            while ((left = queue.poll()) != null) {
                left.future().completeExceptionally(new IOException("broker client closed"));
            }
        }

        private AbstractResponse exchange(AbstractRequest.Builder<?> builder) throws IOException {
            Socket socket = this.socket;
            if (socket == null) {
                socket = connect();
            }
            AbstractRequest request = builder.build(builder.latestAllowedVersion());
            RequestHeader header = new RequestHeader(request.apiKey(), request.version(), clientId, correlationId++);
            ByteBuffer payload = request.serializeWithHeader(header);
            ByteBuffer frame = ByteBuffer.allocate(4 + payload.remaining());
            frame.putInt(payload.remaining()).put(payload).flip();
            OutputStream out = socket.getOutputStream();
            out.write(frame.array(), 0, frame.limit());
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size = in.readInt();
            if (size < 0 || size > 64 * 1024 * 1024) {
                throw new IOException("bad response size " + size + " from broker " + brokerId);
            }
            byte[] body = new byte[size];
            in.readFully(body);
            return AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
        }

        private Socket connect() throws IOException {
            Address address = addresses.apply(brokerId);
            if (address == null) {
                throw new IOException("broker " + brokerId + " is not live");
            }
            Socket s = new Socket();
            socket = s; // before connecting, so that close() can cut a slow connect short
            if (closed) { // close() may have looked for a socket before the line above
                throw new IOException("broker client closed");
            }
            s.connect(new InetSocketAddress(address.host(), address.port()), timeoutMs);
            s.setSoTimeout(timeoutMs);
            s.setTcpNoDelay(true);
            return s;
        }

        private void disconnect() {
            closeSocket();
            socket = null;
        }

        /** Closes the connection; a read or write blocked on it fails at once. Any thread. */
        void closeSocket() {
            Socket s = socket;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    log.debug("Closing the connection to broker {}: {}", brokerId, e.toString());
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        for (Channel channel : channels.values()) {
            channel.thread.interrupt();
            channel.closeSocket(); // socket reads and writes do not notice interrupts
        }
        for (Channel channel : channels.values()) {
            channel.thread.join(10_000);
        }
    }
}
