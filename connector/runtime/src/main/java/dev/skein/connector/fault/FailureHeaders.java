package dev.skein.connector.fault;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Names of the headers failure strategies add to copies (same names as smallrye-kafka's). */
public final class FailureHeaders {
    public static final String DEAD_LETTER_REASON = "dead-letter-reason";
    public static final String DEAD_LETTER_CAUSE = "dead-letter-cause";
    public static final String DEAD_LETTER_EXCEPTION_CLASS = "dead-letter-exception-class-name";
    public static final String DEAD_LETTER_TOPIC = "dead-letter-topic";
    public static final String DEAD_LETTER_PARTITION = "dead-letter-partition";
    public static final String DEAD_LETTER_OFFSET = "dead-letter-offset";

    public static final String DELAYED_RETRY_COUNT = "delayed-retry-count";
    public static final String DELAYED_RETRY_REASON = "delayed-retry-reason";
    public static final String DELAYED_RETRY_CAUSE = "delayed-retry-cause";
    public static final String DELAYED_RETRY_ORIGINAL_TOPIC = "delayed-retry-original-topic";
    public static final String DELAYED_RETRY_ORIGINAL_PARTITION = "delayed-retry-original-partition";
    public static final String DELAYED_RETRY_ORIGINAL_OFFSET = "delayed-retry-original-offset";

    private FailureHeaders() {}

    static void put(Headers headers, String name, Object value) {
        headers.remove(name);
        headers.add(name, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    }

    /** The last value of header {@code name} as text, or {@code null}. */
    public static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
