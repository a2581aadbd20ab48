package dev.skein.broker.log;

import static dev.skein.broker.log.CompactionFixture.latestValues;
import static dev.skein.broker.log.CompactionFixture.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.log.CompactionFixture.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A cleaner killed at each step of {@link SegmentSwap}: the partition directory is rebuilt from copies taken before
 * and after a real clean into the state a crash at that step leaves, then the log is reopened after an unclean
 * shutdown.
 */
class CleanerCrashTest {
    private static final TopicPartition TP = new TopicPartition("crash", 0);
    private static final long CLEANED_BASE = 0L;

    @TempDir
    Path dataDir;

    @TempDir
    Path copies;

    /** Where the cleaner was when the broker died, and whether the clean must be visible after recovery. */
    enum CrashPoint {
        WRITING_CLEANED(false),
        RENAMING_CLEANED_TO_SWAP(false),
        SWAP_COMMITTED(true),
        RETIRING_OLD_SEGMENTS(true),
        OLD_SEGMENTS_RETIRED(true),
        INSTALLING_SWAP(true),
        BEFORE_DELETING_RETIRED(true);

        final boolean cleanVisible;

        CrashPoint(boolean cleanVisible) {
            this.cleanVisible = cleanVisible;
        }
    }

    /** Every batch in its own segment (segment.ms = 1 and the clock moves per append), so one run is cleaned. */
    private static LogConfig config() {
        return LogCleanerTest.compactConfig(
                LogConfig.SEGMENT_BYTES, String.valueOf(1 << 20), LogConfig.SEGMENT_MS, "1");
    }

    @ParameterizedTest
    @EnumSource(CrashPoint.class)
    void recoversWithNoLostOrDuplicatedKeys(CrashPoint crash) throws IOException {
        CompactionFixture records = new CompactionFixture();
        Path partition = dataDir.resolve(PartitionLog.dirName(TP));
        List<Entry> cleanedView;
        List<Long> oldBases;
        try (LogFixture fx = new LogFixture(dataDir)) {
            PartitionLog log = fx.manager.getOrCreate(TP, config());
            for (int i = 0; i < 12; i++) {
                fx.time.sleep(1);
                records.append(log, Compression.NONE, fx.time.milliseconds(), "k" + (i % 3), "v" + i);
            }
            log.updateHighWatermark(log.logEndOffset());
            oldBases = log.segments().stream()
                    .map(LogSegment::baseOffset)
                    .limit(log.numberOfSegments() - 1)
                    .toList();
            copy(partition, copies.resolve("before"));
            fx.manager.cleaner().cleanDirtiest().orElseThrow();
            cleanedView = readAll(log);
            assertThat(log.segments().get(0).baseOffset()).isEqualTo(CLEANED_BASE);
            assertThat(log.numberOfSegments()).isEqualTo(2);
            fx.manager.close();
            copy(partition, copies.resolve("after"));

            rebuild(partition, crash, oldBases);
            fx.closeAsCrashed();
            fx.manager = fx.open();
            PartitionLog recovered = fx.manager.getOrCreate(TP, config());

            List<Entry> expected = crash.cleanVisible ? cleanedView : records.appended();
            assertThat(readAll(recovered)).containsExactlyElementsOf(expected);
            assertThat(latestValues(readAll(recovered))).isEqualTo(latestValues(records.appended()));
            assertThat(leftovers(partition)).isEmpty();
            records.append(recovered, Compression.NONE, fx.time.milliseconds(), "k0", "after-crash");
            assertThat(latestValues(readAll(recovered))).containsEntry("k0", "after-crash");
        }
    }

    @Test
    void discardsACleanedSegmentWrittenForARunThatRetentionRemoved() throws IOException {
        CompactionFixture records = new CompactionFixture();
        try (LogFixture fx = new LogFixture(dataDir)) {
            PartitionLog log = fx.manager.getOrCreate(TP, config());
            for (int i = 0; i < 6; i++) {
                fx.time.sleep(1);
                records.append(log, Compression.NONE, fx.time.milliseconds(), "k" + (i % 2), "v" + i);
            }
            List<LogSegment> run = log.segments().subList(0, 2);
            log.truncateTo(1);
            LogSegment.open(log.dir(), 0, config(), 0, true, SegmentSwap.CLEANED_SUFFIX)
                    .close();

            assertThat(log.replaceSegments(run)).isEmpty();
            assertThat(leftovers(log.dir())).isEmpty();
            assertThat(readAll(log))
                    .containsExactlyElementsOf(records.appended().subList(0, 1));
        }
    }

    /** Turns {@code partition} into what a crash at {@code crash} leaves, from the before/after copies. */
    private void rebuild(Path partition, CrashPoint crash, List<Long> oldBases) throws IOException {
        clear(partition);
        Path before = copies.resolve("before");
        Path after = copies.resolve("after");
        copy(before, partition);
        int retire =
                switch (crash) {
                    case WRITING_CLEANED, RENAMING_CLEANED_TO_SWAP, SWAP_COMMITTED -> 0;
                    case RETIRING_OLD_SEGMENTS -> oldBases.size() / 2;
                    default -> oldBases.size();
                };
        for (long base : oldBases.subList(0, retire)) {
            Files.move(
                    LogSegment.logFile(partition, base),
                    LogSegment.withSuffix(LogSegment.logFile(partition, base), SegmentSwap.DELETED_SUFFIX));
            Files.delete(LogSegment.offsetIndexFile(partition, base));
            Files.delete(LogSegment.timeIndexFile(partition, base));
        }
        String logSuffix =
                switch (crash) {
                    case WRITING_CLEANED, RENAMING_CLEANED_TO_SWAP -> SegmentSwap.CLEANED_SUFFIX;
                    case INSTALLING_SWAP, BEFORE_DELETING_RETIRED -> "";
                    default -> SegmentSwap.SWAP_SUFFIX;
                };
        String indexSuffix =
                switch (crash) {
                    case WRITING_CLEANED -> SegmentSwap.CLEANED_SUFFIX;
                    case BEFORE_DELETING_RETIRED -> "";
                    default -> SegmentSwap.SWAP_SUFFIX;
                };
        Path log = LogSegment.logFile(partition, CLEANED_BASE);
        Path index = LogSegment.offsetIndexFile(partition, CLEANED_BASE);
        Path timeIndex = LogSegment.timeIndexFile(partition, CLEANED_BASE);
        Files.copy(after.resolve(log.getFileName()), LogSegment.withSuffix(log, logSuffix));
        Files.copy(after.resolve(index.getFileName()), LogSegment.withSuffix(index, indexSuffix));
        Files.copy(after.resolve(timeIndex.getFileName()), LogSegment.withSuffix(timeIndex, indexSuffix));
    }

    private static List<String> leftovers(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".cleaned") || n.endsWith(".swap") || n.endsWith(".deleted"))
                    .toList();
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static void clear(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
    }
}
