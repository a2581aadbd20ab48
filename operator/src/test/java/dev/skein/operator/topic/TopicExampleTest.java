package dev.skein.operator.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.operator.kafka.BootstrapServers;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TopicExampleTest {
    private static final Path EXAMPLE = Path.of("..", "deploy", "examples", "topic.yaml");

    @Test
    void exampleTopicParsesAndIsValid() throws IOException {
        Topic topic;
        try (InputStream in = Files.newInputStream(EXAMPLE)) {
            topic = Serialization.unmarshal(in, Topic.class);
        }

        assertThat(topic.getApiVersion()).isEqualTo(Topic.GROUP + "/" + Topic.VERSION);
        assertThat(TopicSpecValidator.problem(topic)).isEmpty();
        topic.getMetadata().setNamespace("kafka");
        assertThat(BootstrapServers.resolve(Optional.empty(), topic)).contains("my-cluster-bootstrap.kafka.svc:9092");
        assertThat(topic.getSpec().getConfig()).containsEntry("retention.ms", "604800000");
    }
}
