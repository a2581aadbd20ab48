package dev.skein.broker.protocol;

import java.net.InetAddress;
import org.apache.kafka.common.requests.RequestHeader;

/** Who sent a request and how: its header and the client's address. */
record RequestContext(RequestHeader header, String connectionId, InetAddress clientAddress) {
    short apiVersion() {
        return header.apiVersion();
    }
}
