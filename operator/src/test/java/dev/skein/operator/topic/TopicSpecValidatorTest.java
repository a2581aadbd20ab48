package dev.skein.operator.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicSpecValidatorTest {
    @Test
    void acceptsValidSpecAndDefaultsTheNameToMetadataName() {
        Topic topic = topic("orders", null, 3, 1);

        assertThat(TopicSpecValidator.problem(topic)).isEmpty();
        assertThat(topic.effectiveTopicName()).isEqualTo("orders");
    }

    @Test
    void rejectsIllegalCharacters() {
        assertThat(TopicSpecValidator.problem(topic("t", "bad name!", 1, 1)))
                .hasValueSatisfying(message -> assertThat(message).contains("'bad name!' is illegal"));
    }

    @Test
    void rejectsDotNamesAndOverlongNames() {
        assertThat(TopicSpecValidator.problem(topic("t", "..", 1, 1))).isPresent();
        assertThat(TopicSpecValidator.problem(topic("t", "a".repeat(250), 1, 1)))
                .hasValueSatisfying(message -> assertThat(message).contains("maximum is 249"));
        assertThat(TopicSpecValidator.problem(topic("t", "a".repeat(249), 1, 1)))
                .isEmpty();
    }

    @Test
    void rejectsZeroPartitionsAndMissingReplicas() {
        assertThat(TopicSpecValidator.problem(topic("t", null, 0, 1)))
                .hasValueSatisfying(message -> assertThat(message).contains("spec.partitions must be at least 1"));
        assertThat(TopicSpecValidator.problem(topic("t", null, 1, null)))
                .hasValueSatisfying(message -> assertThat(message).contains("spec.replicas"));
    }

    @Test
    void rejectsConfigWithoutValue() {
        Topic topic = topic("t", null, 1, 1);
        Map<String, String> config = new HashMap<>();
        config.put("retention.ms", null);
        topic.getSpec().setConfig(config);

        assertThat(TopicSpecValidator.problem(topic))
                .hasValueSatisfying(message -> assertThat(message).contains("spec.config.retention.ms has no value"));
    }

    @Test
    void topicNameIsImmutableOnceRecordedInStatus() {
        Topic topic = topic("t", "renamed", 1, 1);
        TopicStatus status = new TopicStatus();
        status.setTopicName("original");
        topic.setStatus(status);

        assertThat(TopicSpecValidator.problem(topic)).hasValueSatisfying(message -> assertThat(message)
                .contains("immutable")
                .contains("'original'")
                .contains("'renamed'"));
    }

    static Topic topic(String metadataName, String topicName, Integer partitions, Integer replicas) {
        Topic topic = new Topic();
        topic.setMetadata(new ObjectMetaBuilder()
                .withName(metadataName)
                .withNamespace("ns")
                .build());
        TopicSpec spec = new TopicSpec();
        spec.setTopicName(topicName);
        spec.setPartitions(partitions);
        spec.setReplicas(replicas);
        topic.setSpec(spec);
        return topic;
    }
}
