package dev.skein.server.admin;

import static dev.skein.server.admin.KafkaClients.await;

import dev.skein.server.admin.RecordViews.Data;
import dev.skein.server.admin.RecordViews.HeaderView;
import dev.skein.server.admin.RecordViews.ProduceRequest;
import dev.skein.server.admin.RecordViews.ProduceResult;
import dev.skein.server.admin.RecordViews.RecordView;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.utils.Time;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code /api/v1/topics/{name}/...records}: read records from a partition and offset, and produce one record — for
 * testing and for tools. Reads use a fresh group-less consumer and stop at the partition's end (high watermark), at
 * {@code limit} records, after {@code timeoutMs}, or once the records read (keys, values, headers) reach
 * {@code skein.admin.records.max-bytes} — whichever comes first; the record that crosses the byte cap is still
 * returned, so a read always makes progress. {@code timeoutMs} (default 5000, or the cap if lower) above
 * {@code skein.admin.records.max-wait-ms} is refused (400).
 */
@Path("/api/v1/topics")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RecordResource {
    static final int MAX_LIMIT = 1000;
    static final long DEFAULT_TIMEOUT_MS = 5000;
    static final String UTF8 = "utf8";
    static final String BASE64 = "base64";

    private final KafkaClients clients;
    private final int maxBytes;
    private final long maxWaitMs;
    private final Time time = Time.SYSTEM;

    @Inject
    public RecordResource(
            KafkaClients clients,
            @ConfigProperty(name = "skein.admin.records.max-bytes", defaultValue = "1048576") int maxBytes,
            @ConfigProperty(name = "skein.admin.records.max-wait-ms", defaultValue = "30000") long maxWaitMs) {
        this.clients = clients;
        this.maxBytes = maxBytes;
        this.maxWaitMs = maxWaitMs;
    }

    @GET
    @Path("{name}/partitions/{partition}/records")
    public List<RecordView> read(
            @PathParam("name") String name,
            @PathParam("partition") int partition,
            @QueryParam("offset") @DefaultValue("0") long offset,
            @QueryParam("limit") @DefaultValue("10") int limit,
            @QueryParam("timeoutMs") Long requestedTimeoutMs) {
        long timeoutMs = requestedTimeoutMs == null ? Math.min(DEFAULT_TIMEOUT_MS, maxWaitMs) : requestedTimeoutMs;
        if (offset < 0) {
            throw ProblemMapper.badRequest("offset must be >= 0, got " + offset);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ProblemMapper.badRequest("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        if (timeoutMs < 0 || timeoutMs > maxWaitMs) {
            throw ProblemMapper.badRequest("timeoutMs must be between 0 and " + maxWaitMs
                    + " (skein.admin.records.max-wait-ms), got " + timeoutMs);
        }
        TopicPartition tp = existingPartition(name, partition);
        List<RecordView> records = new ArrayList<>();
        long bytes = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = clients.newConsumer(maxBytes)) {
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            if (offset >= end) {
                return records;
            }
            consumer.seek(tp, offset);
            long deadline = time.milliseconds() + timeoutMs;
            while (records.size() < limit && bytes < maxBytes && consumer.position(tp) < end) {
                long remaining = deadline - time.milliseconds();
                if (remaining <= 0) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(remaining))) {
                    if (records.size() < limit && bytes < maxBytes) {
                        records.add(view(record));
                        bytes += size(record);
                    }
                }
            }
        }
        return records;
    }

    @POST
    @Path("{name}/records")
    public Response produce(@PathParam("name") String name, ProduceRequest request) {
        if (request == null) {
            throw ProblemMapper.badRequest("The request body is required: {\"key\": ..., \"value\": ...}");
        }
        String encoding = request.encoding() == null ? UTF8 : request.encoding();
        if (!encoding.equals(UTF8) && !encoding.equals(BASE64)) {
            throw ProblemMapper.badRequest("encoding must be utf8 or base64, got '" + encoding + "'");
        }
        int partitions = partitionCount(name);
        if (request.partition() != null) {
            checkPartition(name, request.partition(), partitions);
        }
        List<Header> headers = new ArrayList<>();
        if (request.headers() != null) {
            for (Map.Entry<String, String> h : request.headers().entrySet()) {
                headers.add(new RecordHeader(h.getKey(), bytes("headers." + h.getKey(), h.getValue(), encoding)));
            }
        }
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                name,
                request.partition(),
                null,
                bytes("key", request.key(), encoding),
                bytes("value", request.value(), encoding),
                headers);
        RecordMetadata written;
        try {
            written = clients.producer().send(record).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof KafkaException cause) {
                throw cause;
            }
            throw new KafkaException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while producing", e);
        }
        return Response.status(Response.Status.CREATED)
                .entity(new ProduceResult(name, written.partition(), written.offset(), written.timestamp()))
                .build();
    }

    /** {@code name}-{@code partition}, after checking with the broker that it exists (404 otherwise). */
    private TopicPartition existingPartition(String name, int partition) {
        checkPartition(name, partition, partitionCount(name));
        return new TopicPartition(name, partition);
    }

    private int partitionCount(String name) {
        return await(clients.admin().describeTopics(List.of(name)).allTopicNames())
                .get(name)
                .partitions()
                .size();
    }

    private static void checkPartition(String name, int partition, int count) {
        if (partition < 0 || partition >= count) {
            throw new UnknownTopicOrPartitionException(
                    "Partition " + partition + " of topic '" + name + "' does not exist (it has " + count + ")");
        }
    }

    private static long size(ConsumerRecord<byte[], byte[]> record) {
        long size = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        for (Header header : record.headers()) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    private static RecordView view(ConsumerRecord<byte[], byte[]> record) {
        List<HeaderView> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            headers.add(new HeaderView(header.key(), data(header.value())));
        }
        return new RecordView(
                record.partition(),
                record.offset(),
                record.timestamp(),
                record.timestampType().name,
                data(record.key()),
                data(record.value()),
                headers);
    }

    /** Text for {@code bytes}: UTF-8 when they decode strictly, base64 otherwise. */
    static Data data(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return new Data(text, UTF8);
        } catch (CharacterCodingException e) {
            return new Data(Base64.getEncoder().encodeToString(bytes), BASE64);
        }
    }

    private static byte[] bytes(String field, String text, String encoding) {
        if (text == null) {
            return null;
        }
        if (encoding.equals(UTF8)) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw ProblemMapper.badRequest(field + " is not valid base64: " + e.getMessage());
        }
    }
}
