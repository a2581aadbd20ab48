package dev.skein.broker.network;

import java.net.InetAddress;
import org.apache.kafka.common.network.Send;

/** The outcome of the request in flight on one connection. Exactly one method is called per request. */
public interface RequestChannel {
    /** Sends a response; {@code response} must include its size prefix (as kafka-clients' {@code toSend} does). */
    void send(Send response);

    /** The request needs no response (acks=0); the connection resumes reading. */
    void noResponse();

    /** Closes the connection, logging {@code reason}. */
    void close(String reason);

    /**
     * Runs {@code action} if the connection closes before this request's outcome is delivered — e.g. to drop a fetch
     * parked in the purgatory. One action per request (a later call replaces it); runs at once, on the calling thread,
     * if the connection is already closed; otherwise on the network thread that closes it, so it must be quick.
     */
    void whenClosed(Runnable action);

    String connectionId();

    InetAddress clientAddress();
}
