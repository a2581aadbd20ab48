package dev.skein.broker.network;

import java.nio.ByteBuffer;

/**
 * Turns one request frame into at most one response. Called on an I/O worker thread; the connection stays muted (no
 * further frame is read from it) until the handler calls exactly one of {@link RequestChannel#send},
 * {@link RequestChannel#noResponse} or {@link RequestChannel#close}, from any thread and possibly later (delayed
 * produce or fetch). That is what keeps responses in request order per connection.
 */
@FunctionalInterface
public interface RequestHandler {
    /**
     * @param frame the request bytes after the 4-byte size prefix; owned by the handler
     * @param channel where the single outcome of this request goes
     */
    void handle(ByteBuffer frame, RequestChannel channel);
}
