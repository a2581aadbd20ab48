package dev.skein.broker.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * fsync of a directory: makes the creation, rename or deletion of its entries durable. A new segment's file exists
 * after a power loss only once its directory entry is on disk; fsyncing the file itself does not ensure that.
 */
final class DirectorySync {
    /** For tests only: told of every directory fsynced, after its fsync returned. Never null. */
    static volatile Consumer<Path> syncedForTests = dir -> {};

    private DirectorySync() {}

    static void fsync(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
        syncedForTests.accept(dir);
    }
}
