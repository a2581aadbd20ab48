package dev.skein.broker.it;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * The fuzzer's input stream: input {@code i} of seed {@code s} depends only on {@code (s, i)} (its own {@link
 * Random}), so any input can be regenerated without the ones before it, in any thread order. An input is a valid
 * request of an advertised (API, version) (see {@link #pickApi}), then mutated by {@link FrameMutator}.
 */
final class FuzzInputs {
    /** One input: its frame (no size prefix) and what it was made from. */
    record Input(long index, ApiKeys key, short version, String mutation, byte[] frame) {
        String describe() {
            return "input " + index + " (" + key + " v" + version + ", " + mutation + ", " + frame.length + " bytes)";
        }
    }

    /** An advertised API version. */
    record ApiVersion(ApiKeys key, short version) {}

    private final long seed;
    private final Map<ApiKeys, List<ApiVersion>> byKey = new EnumMap<>(ApiKeys.class);
    private final List<ApiKeys> keys;
    private final FuzzCorpus corpus;

    FuzzInputs(long seed, List<ApiVersion> apis, FuzzCorpus corpus) {
        this.seed = seed;
        for (ApiVersion api : apis) {
            byKey.computeIfAbsent(api.key(), k -> new ArrayList<>()).add(api);
        }
        this.keys = List.copyOf(byKey.keySet());
        this.corpus = corpus;
    }

    Input input(long index) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + index);
        ApiVersion api = pickApi(r);
        FuzzCorpus.Frame frame = corpus.build(api.key(), api.version(), (int) index, r);
        FrameMutator.Mutated mutated = FrameMutator.mutate(frame, r);
        return new Input(index, api.key(), api.version(), mutated.mutation(), mutated.bytes());
    }

    /**
     * 30% Produce and 10% Fetch (the paths that write and read logs), the rest an API chosen uniformly; then a version
     * chosen uniformly among those advertised for it.
     */
    private ApiVersion pickApi(Random r) {
        int dice = r.nextInt(10);
        ApiKeys key;
        if (dice < 3 && byKey.containsKey(ApiKeys.PRODUCE)) {
            key = ApiKeys.PRODUCE;
        } else if (dice == 3 && byKey.containsKey(ApiKeys.FETCH)) {
            key = ApiKeys.FETCH;
        } else {
            key = keys.get(r.nextInt(keys.size()));
        }
        List<ApiVersion> versions = byKey.get(key);
        return versions.get(r.nextInt(versions.size()));
    }

    /** The request as kafka-clients parses it, or null if it does not parse. */
    static AbstractRequest parse(byte[] frame) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(frame);
            RequestHeader header = RequestHeader.parse(buffer);
            return AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(), new ByteBufferAccessor(buffer))
                    .request;
        } catch (RuntimeException unparseable) {
            return null;
        } catch (OutOfMemoryError hugeDeclaredSize) {
            // kafka-clients sizes some collections by a declared count before reading them (2^31-1 here); this is
            // the fuzzer's own parse of a hostile frame, the broker's parse of the same frame is what is under test
            return null;
        }
    }

    /** False for a request the broker answers with nothing (Produce with acks=0). */
    static boolean expectsAnswer(AbstractRequest request) {
        return !(request instanceof ProduceRequest produce && produce.acks() == 0);
    }

    /**
     * True if the request may legitimately stay unanswered past {@code boundMs}: it asks the broker to wait (a Fetch's
     * maxWaitMs, a request timeout of the topic admin APIs or of Produce acks=all) longer than the bound, or it is a
     * group join/sync, which waits for the other members.
     */
    static boolean mayWaitPast(AbstractRequest request, int boundMs) {
        if (request == null) {
            return false;
        }
        return switch (request.apiKey()) {
            case JOIN_GROUP, SYNC_GROUP -> true;
            case FETCH -> ((FetchRequest) request).data().maxWaitMs() >= boundMs / 2;
            case PRODUCE -> ((ProduceRequest) request).acks() == -1
                    && ((ProduceRequest) request).timeout() >= boundMs / 2;
            case CREATE_TOPICS -> ((CreateTopicsRequest) request).data().timeoutMs() >= boundMs / 2;
            case DELETE_TOPICS -> ((DeleteTopicsRequest) request).data().timeoutMs() >= boundMs / 2;
            case CREATE_PARTITIONS -> ((CreatePartitionsRequest) request).data().timeoutMs() >= boundMs / 2;
            case DELETE_RECORDS -> ((DeleteRecordsRequest) request).data().timeoutMs() >= boundMs / 2;
            default -> false;
        };
    }
}
