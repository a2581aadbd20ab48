package dev.skein.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class BrokerConfigFileTest {

    @Test
    void renderedFileReadsBackAsTheSameProperties() throws IOException {
        ClusterModel model = ClusterFixtures.model(spec -> {
            spec.getConfig().put("odd key", " leading space, back\\slash = and # and\nnewline");
            spec.getConfig().put("sasl.jaas.config", "x=y:z");
        });
        Properties read = new Properties();
        read.load(new StringReader(BrokerConfigFile.render(model).text()));

        assertThat(read.getProperty("odd key")).isEqualTo(" leading space, back\\slash = and # and\nnewline");
        assertThat(read.getProperty("sasl.jaas.config")).isEqualTo("x=y:z");
        assertThat(read.getProperty("listeners")).isEqualTo("PLAINTEXT://:9092");
        assertThat(read.getProperty("num.partitions")).isEqualTo("3");
        assertThat(read.stringPropertyNames())
                .containsExactlyInAnyOrder(
                        "odd key", "sasl.jaas.config", "listeners", "log.dirs", "zookeeper.connect", "num.partitions");
    }

    @Test
    void keyOrderDoesNotChangeTheHash() {
        ClusterModel ab = ClusterFixtures.model(spec -> {
            spec.getConfig().clear();
            spec.getConfig().put("a", "1");
            spec.getConfig().put("b", "2");
        });
        ClusterModel ba = ClusterFixtures.model(spec -> {
            spec.getConfig().clear();
            spec.getConfig().put("b", "2");
            spec.getConfig().put("a", "1");
        });
        assertThat(BrokerConfigFile.render(ab).hash())
                .isEqualTo(BrokerConfigFile.render(ba).hash());
    }
}
