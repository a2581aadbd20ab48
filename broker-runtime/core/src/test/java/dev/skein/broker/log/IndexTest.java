package dev.skein.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexTest {
    @TempDir
    Path dir;

    @Test
    void offsetIndexFindsLargestEntryAtOrBelowTarget() throws IOException {
        try (OffsetIndex index = OffsetIndex.open(dir.resolve("a.index"), 100, 80, true)) {
            assertThat(index.lookup(150)).isZero();
            index.append(104, 400);
            index.append(110, 900);
            index.append(120, 1500);

            assertThat(index.lookup(103)).isZero();
            assertThat(index.lookup(104)).isEqualTo(400);
            assertThat(index.lookup(115)).isEqualTo(900);
            assertThat(index.lookup(10_000)).isEqualTo(1500);
            assertThatThrownBy(() -> index.append(119, 2000)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void offsetIndexIsFullAtSegmentIndexBytesAndTrimsOnClose() throws IOException {
        Path file = dir.resolve("b.index");
        OffsetIndex index = OffsetIndex.open(file, 0, 20, true);
        index.append(1, 10);
        index.append(2, 20);
        assertThat(index.isFull()).isTrue();
        index.close();

        assertThat(Files.size(file)).isEqualTo(16L);
        try (OffsetIndex reopened = OffsetIndex.open(file, 0, 20, false)) {
            assertThat(reopened.entries()).isEqualTo(2);
            assertThat(reopened.lookup(2)).isEqualTo(20);
        }
    }

    @Test
    void truncationDropsEntriesAtOrAboveOffset() throws IOException {
        try (OffsetIndex index = OffsetIndex.open(dir.resolve("c.index"), 0, 800, true)) {
            index.append(10, 100);
            index.append(20, 200);
            index.append(30, 300);

            index.truncateToOffset(20);

            assertThat(index.entries()).isEqualTo(1);
            assertThat(index.lookup(25)).isEqualTo(100);
            index.append(22, 250);
            assertThat(index.lookup(25)).isEqualTo(250);
        }
    }

    @Test
    void timeIndexPointsBeforeTheFirstRecordReachingTheTimestamp() throws IOException {
        try (TimeIndex index = TimeIndex.open(dir.resolve("d.timeindex"), 50, 120, true)) {
            assertThat(index.lookup(5)).isEqualTo(50L);
            index.maybeAppend(1_000, 55);
            index.maybeAppend(1_000, 57);
            index.maybeAppend(2_000, 60);

            assertThat(index.entries()).isEqualTo(2);
            assertThat(index.lookup(999)).isEqualTo(50L);
            assertThat(index.lookup(1_000)).isEqualTo(50L);
            assertThat(index.lookup(1_001)).isEqualTo(55L);
            assertThat(index.lookup(5_000)).isEqualTo(60L);
        }
    }

    @Test
    void sanityCheckRejectsZeroFilledPreallocatedTail() throws IOException {
        Path file = dir.resolve("e.index");
        OffsetIndex index = OffsetIndex.open(file, 0, 80, true);
        index.append(5, 100);
        index.flush();
        // Simulates a crash: the pre-allocated file was never trimmed, so its zero tail reads as entries.
        OffsetIndex crashed = OffsetIndex.open(file, 0, 80, true);
        try {
            assertThatThrownBy(() -> crashed.sanityCheck(10)).isInstanceOf(MappedIndex.CorruptIndexException.class);
        } finally {
            crashed.close();
            index.close();
        }
    }
}
