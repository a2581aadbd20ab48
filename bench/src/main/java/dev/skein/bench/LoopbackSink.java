package dev.skein.bench;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * A TCP connection over loopback whose far end is drained and discarded by a daemon thread, standing in for a
 * consumer's socket. {@link #channel()} is the blocking sending side. {@link #close()} closes both ends and waits
 * up to ten seconds for the drainer to stop.
 */
final class LoopbackSink implements Closeable {
    private final ServerSocketChannel server;
    private final SocketChannel sender;
    private final SocketChannel receiver;
    private final Thread drainer;

    private LoopbackSink(ServerSocketChannel server, SocketChannel sender, SocketChannel receiver, Thread drainer) {
        this.server = server;
        this.sender = sender;
        this.receiver = receiver;
        this.drainer = drainer;
    }

    static LoopbackSink open() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel sender = SocketChannel.open(server.getLocalAddress());
        SocketChannel receiver = server.accept();
        Thread drainer = new Thread(() -> drain(receiver), "loopback-sink-drainer");
        drainer.setDaemon(true);
        drainer.start();
        return new LoopbackSink(server, sender, receiver, drainer);
    }

    private static void drain(SocketChannel receiver) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1024 * 1024);
        try {
            while (receiver.read(buffer) >= 0) {
                buffer.clear();
            }
        } catch (IOException closed) {
            // the benchmark closed the connection: draining is over
        }
    }

    SocketChannel channel() {
        return sender;
    }

    @Override
    public void close() throws IOException {
        sender.close();
        receiver.close();
        server.close();
        try {
            drainer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
