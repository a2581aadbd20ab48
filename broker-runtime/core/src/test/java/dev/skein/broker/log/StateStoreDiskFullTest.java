package dev.skein.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.time.ManualTime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state store on a real full disk (a 4 MiB tmpfs; needs root with mount rights, skipped otherwise). MapDB cannot
 * commit again after a commit hit ENOSPC, and a crash then leaves its file unreadable; the store must instead give
 * that file up, commit into a fresh one once there is room, and leave a file that opens without being set aside.
 */
class StateStoreDiskFullTest {
    private static final int PARTITIONS = 20;

    @TempDir
    Path scratch;

    private Path disk;
    private boolean mounted;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        disk = scratch.resolve("disk");
        Files.createDirectories(disk);
        try {
            run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", disk.toString());
            mounted = true;
        } catch (IOException e) {
            Assumptions.abort("tmpfs cannot be mounted here (needs root): " + e.getMessage());
        }
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", "-l", disk.toString());
        }
    }

    @Test
    void commitAfterDiskFullGoesToAFreshFileThatSurvivesACrash() throws Exception {
        ManualTime time = new ManualTime();
        Path file = disk.resolve(LogManager.STATE_FILE);
        Random random = new Random(16);
        Path filler = disk.resolve("filler");
        try (BrokerStateStore store = BrokerStateStore.openOrSetAside(file, time)) {
            stageAll(store, random, 0);
            store.commit();
            Files.write(filler, new byte[(int) (Files.getFileStore(disk).getUsableSpace() - 300 * 1024)]);

            int round = 1;
            boolean failed = false;
            while (!failed && round < 200) {
                try {
                    stageAll(store, random, round);
                    store.commit();
                    round++;
                } catch (KafkaStorageException expected) {
                    failed = true;
                }
            }
            assertThat(failed).as("a commit hits the full disk").isTrue();
            Files.delete(filler);
            stageAll(store, random, 1000);
            store.commit();
            stageAll(store, random, 1001);
            store.commit();
            // kill -9: the files stay as they are now; a copy is what the next start finds.
            Path copy = scratch.resolve("after-crash");
            Files.createDirectories(copy);
            try (Stream<Path> files = Files.list(disk)) {
                for (Path f : files.filter(p -> p.getFileName().toString().startsWith(LogManager.STATE_FILE)
                                && !p.getFileName().toString().contains(BrokerStateStore.SET_ASIDE_SUFFIX))
                        .toList()) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
            assertThat(setAside(disk))
                    .as("the file that failed was moved aside")
                    .isNotEmpty();

            try (BrokerStateStore reopened =
                    BrokerStateStore.openOrSetAside(copy.resolve(LogManager.STATE_FILE), time)) {
                assertThat(setAside(copy))
                        .as("the file written after the failure is readable")
                        .isEmpty();
                for (int p = 0; p < PARTITIONS; p++) {
                    BrokerStateStore.PartitionState state = reopened.load(new TopicPartition("t", p));
                    assertThat(state.recoveryPoint()).hasValue(1001L * 1000 + p);
                    assertThat(state.leaderEpochs()).containsExactly(1001, 1001L * 1000);
                }
            }
        }
    }

    /** Stages every partition's state for {@code round}, with a producer snapshot of random size. */
    private static void stageAll(BrokerStateStore store, Random random, int round) {
        for (int p = 0; p < PARTITIONS; p++) {
            long offset = round * 1000L + p;
            byte[] snapshot = new byte[random.nextInt(6000)];
            store.put(
                    new TopicPartition("t", p), offset, offset, 0, new long[] {round, round * 1000L}, snapshot, offset);
        }
    }

    private static List<Path> setAside(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().contains(BrokerStateStore.SET_ASIDE_SUFFIX))
                    .toList();
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
