package dev.skein.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * The {@code partition.metadata} file of a partition directory, as Kafka writes it: which topic (by id) the log
 * belongs to, so a log left behind by a deleted topic is not taken for the log of a new topic of the same name.
 *
 * <p>Format (UTF-8 text): {@code version: 0\ntopic_id: <base64 topic id>\n}. Written to a temporary file, fsynced,
 * renamed over the old one and the directory fsynced, so after a crash the file is either the old or the new one.
 */
final class PartitionMetadataFile {
    static final String FILE_NAME = "partition.metadata";
    private static final String VERSION_LINE = "version: 0";
    private static final String TOPIC_ID_PREFIX = "topic_id: ";

    private PartitionMetadataFile() {}

    /** The topic id stored in {@code dir}, or empty if the directory has no (readable) metadata file. */
    static Optional<Uuid> read(Path dir) throws IOException {
        String text;
        try {
            text = Files.readString(dir.resolve(FILE_NAME), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        for (String line : text.split("\n")) {
            if (line.startsWith(TOPIC_ID_PREFIX)) {
                try {
                    return Optional.of(Uuid.fromString(
                            line.substring(TOPIC_ID_PREFIX.length()).trim()));
                } catch (IllegalArgumentException e) {
                    throw new IOException("Unreadable topic id in " + dir.resolve(FILE_NAME) + ": " + line, e);
                }
            }
        }
        throw new IOException("No topic id in " + dir.resolve(FILE_NAME));
    }

    /** Stores {@code topicId} in {@code dir}, durably. */
    static void write(Path dir, Uuid topicId) throws IOException {
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        byte[] bytes = (VERSION_LINE + "\n" + TOPIC_ID_PREFIX + topicId + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DirectorySync.fsync(dir);
    }
}
