package dev.skein.broker.it;

import dev.skein.broker.it.FrameExchange.Kind;
import dev.skein.broker.it.FrameExchange.Outcome;
import java.io.IOException;
import java.util.List;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;

/**
 * One broker in a differential comparison, reached only through raw frames: prepares the state every abusive case
 * assumes (topic {@value AbusiveRequests#TOPIC} with one record, {@code __consumer_offsets} created through
 * FindCoordinator, a producer id from InitProducerId) and reads the partition's end offset.
 */
final class ComparedBroker {
    static final int TIMEOUT_MS = 5000;
    private static final long READY_TIMEOUT_NS = 90_000_000_000L;

    private final String name;
    private final int port;
    private AbusiveRequests.Target target;

    ComparedBroker(String name, int port) {
        this.name = name;
        this.port = port;
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    AbusiveRequests.Target target() {
        return target;
    }

    /** Waits until the broker serves, then creates the state the cases assume. */
    void prepare() throws IOException, InterruptedException {
        retry(
                "ApiVersions",
                () -> send(new ApiVersionsRequest(
                        new ApiVersionsRequestData()
                                .setClientSoftwareName("skein-differential")
                                .setClientSoftwareVersion("1"),
                        (short) 3)));
        retry("CreateTopics " + AbusiveRequests.TOPIC, () -> {
            Outcome created = send(AbusiveRequests.createTopic(AbusiveRequests.TOPIC, 1, null, null));
            return created.errors().containsKey(Errors.TOPIC_ALREADY_EXISTS) ? ok() : created;
        });
        retry(
                "first Produce",
                () -> send(AbusiveRequests.produce(AbusiveRequests.TOPIC, AbusiveRequests.plain("first"))));
        retry(
                "FindCoordinator",
                () -> send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                                .setKeyType((byte) 0)
                                .setCoordinatorKeys(List.of("diff-group")))
                        .build((short) 4)));
        // The transaction coordinator's topic, so transactional cases meet a loaded coordinator (best effort: a
        // broker without transactions answers an error here).
        for (int i = 0; i < 50; i++) {
            Outcome txn = send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                            .setKeyType((byte) 1)
                            .setCoordinatorKeys(List.of("diff-tx", "diff-unknown-tx")))
                    .build((short) 4));
            if (txn.kind() != Kind.ANSWERED
                    || !txn.refused()
                    || txn.errors().containsKey(Errors.INVALID_REQUEST)
                    || txn.errors().containsKey(Errors.UNSUPPORTED_VERSION)) {
                break;
            }
            Thread.sleep(200);
        }
        // ... and loaded: Kafka answers a transactional batch with NOT_ENOUGH_REPLICAS (coordinator unavailable) until
        // its transaction coordinator is loaded, INVALID_PRODUCER_ID_MAPPING after.
        for (int i = 0; i < 50; i++) {
            Outcome txnInit = send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                            .setTransactionalId("diff-prepare-tx")
                            .setTransactionTimeoutMs(60_000))
                    .build((short) 4));
            boolean loading = txnInit.errors().containsKey(Errors.COORDINATOR_LOAD_IN_PROGRESS)
                    || txnInit.errors().containsKey(Errors.COORDINATOR_NOT_AVAILABLE)
                    || txnInit.errors().containsKey(Errors.NOT_COORDINATOR);
            if (txnInit.kind() != Kind.ANSWERED || !loading) {
                break;
            }
            Thread.sleep(200);
        }
        Outcome init = retry(
                "InitProducerId",
                () -> send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                                .setTransactionalId(null)
                                .setTransactionTimeoutMs(60_000))
                        .build((short) 4)));
        InitProducerIdResponse pid = (InitProducerIdResponse) init.response();
        target = new AbusiveRequests.Target(
                port, pid.data().producerId(), pid.data().producerEpoch());
    }

    Outcome send(org.apache.kafka.common.requests.AbstractRequest request) {
        return FrameExchange.exchange(port, request, TIMEOUT_MS);
    }

    /** The log end offset of {@value AbusiveRequests#TOPIC}-0, or -1 if the broker does not say. */
    long endOffset() {
        ListOffsetsRequestData.ListOffsetsTopic topic =
                new ListOffsetsRequestData.ListOffsetsTopic().setName(AbusiveRequests.TOPIC);
        topic.partitions()
                .add(new ListOffsetsRequestData.ListOffsetsPartition()
                        .setPartitionIndex(0)
                        .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP));
        Outcome outcome = send(ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
                .setTargetTimes(List.of(topic))
                .build((short) 7));
        if (outcome.kind() != Kind.ANSWERED || outcome.refused()) {
            return -1;
        }
        return ((ListOffsetsResponse) outcome.response())
                .data()
                .topics()
                .get(0)
                .partitions()
                .get(0)
                .offset();
    }

    private interface Attempt {
        Outcome run();
    }

    private Outcome retry(String what, Attempt attempt) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT_NS;
        Outcome last;
        do {
            last = attempt.run();
            if (last.kind() == Kind.ANSWERED && !last.refused()) {
                return last;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new IOException(name + ": " + what + " did not succeed: " + last.summary() + " " + last.detail());
    }

    private static Outcome ok() {
        return new Outcome(Kind.ANSWERED, java.util.Map.of(Errors.NONE, 1), "", null);
    }
}
