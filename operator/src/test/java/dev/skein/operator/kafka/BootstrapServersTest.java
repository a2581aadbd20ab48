package dev.skein.operator.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BootstrapServersTest {
    @Test
    void clusterLabelNamesTheBootstrapService() {
        ConfigMap resource = new ConfigMapBuilder()
                .withNewMetadata()
                .withName("r")
                .withNamespace("kafka")
                .addToLabels(BootstrapServers.CLUSTER_LABEL, "prod")
                .endMetadata()
                .build();

        assertThat(BootstrapServers.resolve(Optional.empty(), resource)).contains("prod-bootstrap.kafka.svc:9092");
    }

    @Test
    void operatorOverrideWinsAndNoLabelMeansNoCluster() {
        ConfigMap unlabelled = new ConfigMapBuilder()
                .withNewMetadata()
                .withName("r")
                .withNamespace("kafka")
                .endMetadata()
                .build();

        assertThat(BootstrapServers.resolve(Optional.of("h:1"), unlabelled)).contains("h:1");
        assertThat(BootstrapServers.resolve(Optional.empty(), unlabelled)).isEmpty();
    }
}
