package dev.skein.broker.it;

import dev.skein.broker.Broker;
import dev.skein.broker.txn.TransactionVerifier;
import dev.skein.testkit.SkeinTestBroker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The test kit's {@link SkeinTestBroker} under the names this package's tests use (bytes clients, a restart with a
 * fault hook); it adds no behaviour. The caller owns and deletes the data directory; {@link #close()} closes every
 * client and the broker. A restart keeps the Kafka port.
 */
final class BrokerHarness implements AutoCloseable {
    private final SkeinTestBroker skein;

    private BrokerHarness(SkeinTestBroker skein) {
        this.skein = skein;
    }

    static BrokerHarness start(Path dataDir) throws IOException {
        return start(dataDir, Map.of());
    }

    static BrokerHarness start(Path dataDir, Map<String, String> overrides) throws IOException {
        return new BrokerHarness(SkeinTestBroker.start(dataDir, overrides));
    }

    /** A broker whose partition leaders ask {@code verifier} (null: the broker's own) about transactional batches. */
    static BrokerHarness start(Path dataDir, Map<String, String> overrides, TransactionVerifier verifier)
            throws IOException {
        return new BrokerHarness(SkeinTestBroker.start(dataDir, overrides, verifier));
    }

    /** Stops the broker (clients stay open) and starts it again on the same data directory. */
    void restart() throws IOException {
        skein.restart();
    }

    /** Stops the broker, runs {@code whileStopped}, then starts it again on the same data directory. */
    void restart(SkeinTestBroker.WhileStopped whileStopped) throws Exception {
        skein.restart(whileStopped);
    }

    /** The running broker, or null while it is stopped. */
    Broker broker() {
        return skein.running() ? skein.broker() : null;
    }

    String bootstrap() {
        return skein.bootstrap();
    }

    KafkaProducer<byte[], byte[]> producer(Map<String, Object> extra) {
        return skein.bytesProducer(extra);
    }

    /** A consumer from the earliest offset without auto-commit, plus {@code extra}. */
    KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> extra) {
        return skein.bytesConsumer(extra);
    }

    Admin admin() {
        return skein.admin();
    }

    void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        skein.createTopic(name, partitions, configs);
    }

    @Override
    public void close() {
        skein.close();
    }
}
