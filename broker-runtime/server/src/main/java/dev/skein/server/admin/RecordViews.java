package dev.skein.server.admin;

import java.util.List;
import java.util.Map;

/**
 * The JSON bodies of {@link RecordResource}. Keys, values and header values are text: UTF-8 when the bytes are valid
 * UTF-8 ({@code encoding} {@code "utf8"}), base64 otherwise ({@code "base64"}); null stays null.
 */
public final class RecordViews {
    private RecordViews() {}

    /** Bytes rendered as text, with how to get the bytes back. */
    public record Data(String data, String encoding) {}

    public record HeaderView(String key, Data value) {}

    public record RecordView(
            int partition,
            long offset,
            long timestamp,
            String timestampType,
            Data key,
            Data value,
            List<HeaderView> headers) {}

    /**
     * A record to produce. {@code encoding} ({@code "utf8"}, the default, or {@code "base64"}) says how {@code key},
     * {@code value} and header values are to be turned into bytes; no {@code partition} lets the producer's
     * partitioner choose.
     */
    public record ProduceRequest(
            Integer partition, String key, String value, Map<String, String> headers, String encoding) {}

    /** Where the produced record was written. */
    public record ProduceResult(String topic, int partition, long offset, long timestamp) {}
}
