package dev.skein.broker.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file protocol by which one cleaned segment replaces a run of old segments, crash-safely.
 *
 * <p>Steps, for a cleaned segment with base offset {@code B} replacing the segments whose base offsets lie in
 * {@code [B, E)} (E = the offset after the last batch of the cleaned segment, which always keeps the last batch of
 * the run, empty if need be):
 *
 * <ol>
 *   <li>The cleaner writes {@code B.log.cleaned}, {@code B.index.cleaned}, {@code B.timeindex.cleaned} and fsyncs them.
 *   <li>{@link #commit}: renames the two indexes, then the log, from {@code .cleaned} to {@code .swap} and fsyncs the
 *       directory. The existence of {@code B.log.swap} is the commit point: from here on the swap is completed.
 *   <li>The old segments are retired: their indexes deleted and each {@code .log} renamed to {@code .log.deleted}
 *       (the open channel keeps serving in-flight reads until it is closed after {@code file.delete.delay.ms}).
 *   <li>{@link #install}: renames {@code B.log.swap} to {@code B.log}, then the indexes, and fsyncs the directory.
 * </ol>
 *
 * <p>{@link #recover}, run before a partition's segments are opened, finishes or rolls back an interrupted swap: any
 * {@code .log.swap} is completed (the regular files of every segment based in {@code [B, E)} are deleted, then the
 * swap files renamed into place); {@code .cleaned} and {@code .deleted} files are deleted, as are index {@code .swap}
 * files without their log (the index is rebuilt from the log). A crash therefore leaves either the old segments or
 * the cleaned one, never both and never neither: no key is lost or duplicated.
 *
 * <p>Threading: {@link #commit} and {@link #install} are called by {@link PartitionLog#replaceSegments} under the
 * log's lock; {@link #recover} only before the log is visible to other threads.
 */
final class SegmentSwap {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentSwap.class);
    static final String CLEANED_SUFFIX = ".cleaned";
    static final String SWAP_SUFFIX = ".swap";
    static final String DELETED_SUFFIX = ".deleted";

    private SegmentSwap() {}

    private static List<Path> files(Path dir, long baseOffset) {
        return List.of(
                LogSegment.offsetIndexFile(dir, baseOffset),
                LogSegment.timeIndexFile(dir, baseOffset),
                LogSegment.logFile(dir, baseOffset));
    }

    /** Step 2: the cleaned files become swap files, indexes first; durable when this returns. */
    static void commit(Path dir, long baseOffset) throws IOException {
        for (Path file : files(dir, baseOffset)) {
            move(LogSegment.withSuffix(file, CLEANED_SUFFIX), LogSegment.withSuffix(file, SWAP_SUFFIX));
        }
        Utils.flushDir(dir);
    }

    /** Step 4: the swap files take the regular names, log first; durable when this returns. */
    static void install(Path dir, long baseOffset) throws IOException {
        List<Path> files = new ArrayList<>(files(dir, baseOffset));
        files.add(0, files.remove(2));
        for (Path file : files) {
            move(LogSegment.withSuffix(file, SWAP_SUFFIX), file);
        }
        Utils.flushDir(dir);
    }

    /** Removes the files of a cleaned segment that will not be swapped in. */
    static void discardCleaned(Path dir, long baseOffset) throws IOException {
        for (Path file : files(dir, baseOffset)) {
            Files.deleteIfExists(LogSegment.withSuffix(file, CLEANED_SUFFIX));
        }
    }

    private static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Finishes or rolls back swaps interrupted by a crash. Returns the number of swaps completed. */
    static int recover(Path dir, TopicPartition tp) throws IOException {
        int completed = 0;
        for (String name : names(dir)) {
            if (name.matches("\\d{20}\\.log" + SWAP_SUFFIX.replace(".", "\\."))) {
                completeSwap(dir, tp, Long.parseLong(name.substring(0, 20)));
                completed++;
            }
        }
        for (String name : names(dir)) {
            if (name.endsWith(CLEANED_SUFFIX) || name.endsWith(DELETED_SUFFIX) || name.endsWith(SWAP_SUFFIX)) {
                Files.deleteIfExists(dir.resolve(name));
            }
        }
        if (completed > 0) {
            Utils.flushDir(dir);
        }
        return completed;
    }

    private static void completeSwap(Path dir, TopicPartition tp, long baseOffset) throws IOException {
        Path swapLog = LogSegment.withSuffix(LogSegment.logFile(dir, baseOffset), SWAP_SUFFIX);
        long end = baseOffset + 1;
        try (FileRecords records = FileRecords.open(swapLog.toFile())) {
            for (FileChannelRecordBatch batch : records.batches()) {
                end = Math.max(end, batch.nextOffset());
            }
        }
        int replaced = 0;
        for (String name : names(dir)) {
            if (name.matches("\\d{20}\\.(log|index|timeindex)")) {
                long base = Long.parseLong(name.substring(0, 20));
                if (base >= baseOffset && base < end) {
                    Files.delete(dir.resolve(name));
                    replaced += name.endsWith(".log") ? 1 : 0;
                }
            }
        }
        for (Path file : files(dir, baseOffset)) {
            Path swap = LogSegment.withSuffix(file, SWAP_SUFFIX);
            if (Files.exists(swap)) {
                move(swap, file);
            }
        }
        LOG.info(
                "{}: completed an interrupted cleaner swap: segment {} replaces {} segments below offset {}",
                tp,
                baseOffset,
                replaced,
                end);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
