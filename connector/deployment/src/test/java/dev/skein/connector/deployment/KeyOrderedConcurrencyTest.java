package dev.skein.connector.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ordered=key} (smallrye-kafka's attribute name) with unordered blocking processing, on one partition: two keys are processed at the same time
 * (the first record of either key cannot finish until a record of another key is in flight), while each key's records
 * never overlap and finish in offset order.
 */
class KeyOrderedConcurrencyTest {
    static final int PER_KEY = 20;
    static final List<String> KEYS = List.of("a", "b", "c");

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Processor.class))
            .overrideConfigKey("mp.messaging.incoming.keyed.connector", "skein")
            .overrideConfigKey("mp.messaging.incoming.keyed.ordered", "key")
            .overrideConfigKey("mp.messaging.incoming.keyed.auto.offset.reset", "earliest")
            .overrideConfigKey(
                    "mp.messaging.incoming.keyed.value.deserializer",
                    "org.apache.kafka.common.serialization.StringDeserializer");

    @Inject
    Processor processor;

    @ConfigProperty(name = "skein.bootstrap.servers")
    String bootstrap;

    @Test
    void differentKeysRunInParallelAndEachKeyInOrder() {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < PER_KEY; i++) {
                for (String key : KEYS) {
                    producer.send(new ProducerRecord<>("keyed", 0, key, key + "-" + i));
                }
            }
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> processor.gaveUp() || processor.finished().size() >= PER_KEY * KEYS.size());

        assertThat(processor.gaveUp())
                .as("a record waited in vain for a second key to be in flight")
                .isFalse();
        assertThat(processor.sameKeyOverlaps()).isZero();
        for (String key : KEYS) {
            List<String> ofKey = processor.finished().stream()
                    .filter(value -> value.startsWith(key + "-"))
                    .toList();
            assertThat(ofKey)
                    .containsExactlyElementsOf(IntStream.range(0, PER_KEY)
                            .mapToObj(i -> key + "-" + i)
                            .toList());
        }
    }

    /** Fields are private and read through methods: the test holds a client proxy, not the bean instance. */
    @ApplicationScoped
    public static class Processor {
        private final CountDownLatch sawTwoKeysAtOnce = new CountDownLatch(1);
        private final AtomicInteger sameKeyOverlaps = new AtomicInteger();
        private final List<String> finished = new CopyOnWriteArrayList<>();
        private volatile boolean gaveUp;
        private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

        @Incoming("keyed")
        @Blocking(ordered = false)
        public void process(String value) throws InterruptedException {
            String key = value.substring(0, value.indexOf('-'));
            AtomicInteger ofKey = inFlight.computeIfAbsent(key, k -> new AtomicInteger());
            if (ofKey.incrementAndGet() > 1) {
                sameKeyOverlaps.incrementAndGet();
            }
            if (inFlight.values().stream().filter(count -> count.get() > 0).count() >= 2) {
                sawTwoKeysAtOnce.countDown();
            }
            // A connector that serialised all records would never get here with a second key in flight.
            if (sawTwoKeysAtOnce.await(20, TimeUnit.SECONDS)) {
                finished.add(value);
            } else {
                gaveUp = true;
            }
            ofKey.decrementAndGet();
        }

        boolean gaveUp() {
            return gaveUp;
        }

        int sameKeyOverlaps() {
            return sameKeyOverlaps.get();
        }

        List<String> finished() {
            return List.copyOf(finished);
        }
    }
}
