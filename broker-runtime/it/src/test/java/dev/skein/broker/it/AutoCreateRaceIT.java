package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients that auto-create the same topic at the same moment all get a usable (or retriable) answer. */
class AutoCreateRaceIT {
    @TempDir
    Path dataDir;

    @Test
    void concurrentAutoCreationNeverAnswersInvalidTopic() throws Exception {
        try (BrokerHarness harness = BrokerHarness.start(dataDir)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                for (int round = 0; round < 5; round++) {
                    String topic = "raced-" + round;
                    List<Callable<Errors>> calls = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        calls.add(() -> {
                            try (RawConnection raw =
                                    new RawConnection(harness.broker().port())) {
                                MetadataResponse response = (MetadataResponse)
                                        raw.send(new MetadataRequest.Builder(List.of(topic), true).build((short) 12));
                                return response.errors().getOrDefault(topic, Errors.NONE);
                            }
                        });
                    }
                    for (Future<Errors> answer : pool.invokeAll(calls)) {
                        assertThat(answer.get()).isIn(Set.of(Errors.NONE, Errors.LEADER_NOT_AVAILABLE));
                    }
                    assertThat(harness.admin().listTopics().names().get()).contains(topic);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
