package dev.skein.broker.it;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Sends one request on a fresh socket and classifies what came back: an answer (with the error codes it carries),
 * the connection closed by the broker, or nothing within the timeout. Used to compare Skein with Kafka 4.4.
 */
final class FrameExchange {
    private static final AtomicInteger CORRELATION = new AtomicInteger();

    private FrameExchange() {}

    /** What a broker did with one request. */
    enum Kind {
        ANSWERED,
        CLOSED,
        TIMED_OUT
    }

    /**
     * One request's outcome; {@code errors} counts the error codes in an answer (empty unless answered), {@code
     * detail} is a short human-readable account (the response body, or the exception), {@code response} the parsed
     * answer or null.
     */
    record Outcome(Kind kind, Map<Errors, Integer> errors, String detail, AbstractResponse response) {
        /** True if the broker did not accept the request as a whole: closed, or answered with some error. */
        boolean refused() {
            return kind == Kind.CLOSED || errors.keySet().stream().anyMatch(e -> e != Errors.NONE);
        }

        /** The error codes other than NONE, in code order, e.g. {@code INVALID_RECORD(87)}. */
        String errorNames() {
            StringBuilder names = new StringBuilder();
            errors.keySet().stream()
                    .filter(e -> e != Errors.NONE)
                    .sorted(java.util.Comparator.comparingInt(e -> e.code()))
                    .forEach(e -> names.append(names.length() == 0 ? "" : ", ")
                            .append(e.name())
                            .append('(')
                            .append(e.code())
                            .append(')'));
            return names.length() == 0 ? "NONE" : names.toString();
        }

        /** One-line summary for tables. */
        String summary() {
            return switch (kind) {
                case ANSWERED -> errorNames();
                case CLOSED -> "connection closed";
                case TIMED_OUT -> "no answer (timeout)";
            };
        }
    }

    static Outcome exchange(int port, AbstractRequest request, int timeoutMs) {
        RequestHeader header = new RequestHeader(
                request.apiKey(), request.version(), "skein-differential", CORRELATION.incrementAndGet());
        ByteBuffer payload = request.serializeWithHeader(header);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(timeoutMs);
            ByteBuffer framed = ByteBuffer.allocate(4 + payload.remaining());
            framed.putInt(payload.remaining()).put(payload).flip();
            socket.getOutputStream().write(framed.array());
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size = in.readInt();
            byte[] body = new byte[size];
            in.readFully(body);
            AbstractResponse response = AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
            Map<Errors, Integer> errors = new TreeMap<>(response.errorCounts());
            return new Outcome(Kind.ANSWERED, errors, shorten(response.data().toString()), response);
        } catch (SocketTimeoutException e) {
            return new Outcome(Kind.TIMED_OUT, Map.of(), "no answer within " + timeoutMs + " ms", null);
        } catch (EOFException | SocketException e) {
            return new Outcome(Kind.CLOSED, Map.of(), String.valueOf(e), null);
        } catch (IOException e) {
            return new Outcome(Kind.CLOSED, Map.of(), String.valueOf(e), null);
        }
    }

    private static String shorten(String text) {
        String oneLine = text.replace('\n', ' ').replace('|', '/');
        return oneLine.length() <= 400 ? oneLine : oneLine.substring(0, 400) + "…";
    }
}
