package dev.skein.server.metrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.Broker;
import dev.skein.server.BrokerLifecycle;
import dev.skein.server.EphemeralBrokerProfile;
import io.quarkus.arc.Arc;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(EphemeralBrokerProfile.class)
class MetricsTest {
    private static final int RECORDS = 250;

    @Test
    void produceOfKnownRecordsShowsInTopicLogAndRequestMetrics() throws Exception {
        Broker broker =
                Arc.container().instance(BrokerLifecycle.class).get().broker().orElseThrow();
        String bootstrap = "localhost:" + broker.port();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("metered", 1, (short) 1)))
                    .all()
                    .get();
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 5),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>("metered", 0, null, new byte[100]));
            }
            producer.flush();
        }
        TopicPartition tp = new TopicPartition("metered", 0);
        long logSize = broker.partitions().get(tp).orElseThrow().log().sizeInBytes();
        int consumed = consumeAll(bootstrap, tp);
        assertThat(consumed).isEqualTo(RECORDS);

        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();

        // Batches are stored exactly as the producer sent them, so bytes in is the size of the log.
        assertThat(value(metrics, "kafka_server_brokertopicmetrics_messagesin_total{topic=\"metered\"}"))
                .isEqualTo(RECORDS);
        assertThat(value(metrics, "kafka_server_brokertopicmetrics_bytesin_total{topic=\"metered\"}"))
                .isEqualTo(logSize);
        assertThat(value(metrics, "kafka_server_brokertopicmetrics_bytesout_total{topic=\"metered\"}"))
                .isGreaterThanOrEqualTo(logSize);
        assertThat(value(metrics, "kafka_log_log_size{topic=\"metered\",partition=\"0\"}"))
                .isEqualTo(logSize);
        assertThat(value(metrics, "kafka_log_log_logendoffset{topic=\"metered\",partition=\"0\"}"))
                .isEqualTo(RECORDS);
        double produceRequests = value(metrics, "kafka_network_requestmetrics_requests_total{request=\"Produce\"}");
        assertThat(produceRequests).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "kafka_network_requestmetrics_totaltimems_count{request=\"Produce\"}"))
                .isEqualTo(produceRequests);
        assertThat(value(metrics, "kafka_network_requestmetrics_totaltimems_bucket{request=\"Produce\",le=\"+Inf\"}"))
                .isEqualTo(produceRequests);
        assertThat(value(metrics, "kafka_server_replicamanager_underreplicatedpartitions"))
                .isZero();
        assertThat(value(metrics, "kafka_server_replicamanager_leadercount")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "kafka_controller_kafkacontroller_activecontrollercount"))
                .isEqualTo(1);
        assertThat(value(metrics, "kafka_controller_kafkacontroller_offlinepartitionscount"))
                .isZero();
        assertThat(value(metrics, "kafka_server_zookeeperclient_connected")).isEqualTo(1);
        assertThat(metrics)
                .contains("kafka_server_delayedoperationpurgatory_purgatorysize{delayedOperation=\"Fetch\"}");
        assertThat(metrics).contains("jvm_memory_used_bytes");
    }

    private static int consumeAll(String bootstrap, TopicPartition tp) {
        int consumed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            for (int polls = 0; polls < 100 && consumed < RECORDS; polls++) {
                consumed += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        return consumed;
    }

    /** The value of the sample whose name and labels are exactly {@code series} in the Prometheus text. */
    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
                .matcher(metrics);
        assertThat(m.find()).as("series %s in%n%s", series, metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
