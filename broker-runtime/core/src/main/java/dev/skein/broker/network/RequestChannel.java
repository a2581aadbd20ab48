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

    String connectionId();

    InetAddress clientAddress();
}
