package dev.skein.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** What the leak check reports besides a broker: a child process and a kafka-clients thread left running. */
class LeakCheckTest {
    /** The child process's main: blocks on its standard input. */
    public static final class Wait {
        public static void main(String[] args) throws Exception {
            System.in.read();
        }
    }

    @Test
    void aChildProcessLeftRunningFailsTheCheckAndNothingOnceItIsGone() throws Exception {
        LeakCheck.Snapshot before = LeakCheck.snapshot();
        // a child JVM that runs until it is killed (it waits for its standard input, which nobody closes)
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process waiting = new ProcessBuilder(
                        java, "-Xmx32m", "-cp", System.getProperty("java.class.path"), Wait.class.getName())
                .redirectErrorStream(true)
                .start();
        try {
            assertThat(LeakCheck.leaks(before)).anyMatch(leak -> leak.startsWith("process " + waiting.pid()));
            assertThatThrownBy(() -> LeakCheck.assertNoLeaks(before, "LeakCheckTest", 200))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("LeakCheckTest leaked: ")
                    .hasMessageContaining("process " + waiting.pid());
        } finally {
            waiting.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        LeakCheck.assertNoLeaks(before, "LeakCheckTest", LeakCheck.GRACE_MS);
    }

    @Test
    void aClientLeftOpenIsALeakedThread() throws Exception {
        LeakCheck.Snapshot before = LeakCheck.snapshot();
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", "127.0.0.1:1"), new ByteArraySerializer(), new ByteArraySerializer());
        try {
            assertThat(LeakCheck.leaks(before))
                    .anyMatch(leak -> leak.startsWith("thread kafka-producer-network-thread"));
        } finally {
            producer.close();
        }
        LeakCheck.assertNoLeaks(before, "LeakCheckTest", LeakCheck.GRACE_MS);
    }
}
