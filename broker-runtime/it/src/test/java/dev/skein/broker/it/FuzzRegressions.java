package dev.skein.broker.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * Regression inputs found by the fuzzer, one text file each under {@code src/test/resources/fuzz-regressions/}:
 * {@code #} lines describe the finding (kind, detail, seed and input index, mutation) and name the fuzz topics' ids
 * the frames were made with ({@code # topic-id <name> <uuid>}); every other non-blank line is one request frame (header
 * and body, no size prefix) in hex. On replay the recorded topic ids are replaced by the new broker's ids, so frames
 * addressing topics by id (Produce v13, Fetch v13+) still hit the same topics.
 */
final class FuzzRegressions {
    private static final HexFormat HEX = HexFormat.of();

    private FuzzRegressions() {}

    /** A loaded regression file. */
    record Regression(String name, String description, List<byte[]> frames, Map<String, Uuid> topicIds) {
        /** The frames with the recorded topic ids replaced by {@code current} ids (same topic names). */
        List<byte[]> framesFor(Map<String, Uuid> current) {
            List<byte[]> out = new ArrayList<>();
            for (byte[] frame : frames) {
                byte[] copy = frame.clone();
                topicIds.forEach((topic, old) -> {
                    Uuid now = current.get(topic);
                    if (now != null) {
                        replace(copy, bytes(old), bytes(now));
                    }
                });
                out.add(copy);
            }
            return out;
        }
    }

    static Path write(Path dir, String name, List<String> description, List<byte[]> frames, Map<String, Uuid> ids)
            throws IOException {
        Files.createDirectories(dir);
        StringBuilder text = new StringBuilder();
        description.forEach(
                line -> text.append("# ").append(line.replace('\n', ' ')).append('\n'));
        ids.forEach((topic, id) ->
                text.append("# topic-id ").append(topic).append(' ').append(id).append('\n'));
        frames.forEach(frame -> text.append(HEX.formatHex(frame)).append('\n'));
        Path file = dir.resolve(name + ".txt");
        Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
        return file;
    }

    static Regression read(Path file) throws IOException {
        StringBuilder description = new StringBuilder();
        List<byte[]> frames = new ArrayList<>();
        Map<String, Uuid> ids = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("# topic-id ")) {
                String[] parts = trimmed.substring("# topic-id ".length()).split(" ");
                ids.put(parts[0], Uuid.fromString(parts[1]));
            } else if (trimmed.startsWith("#")) {
                description.append(trimmed.substring(1).trim()).append("; ");
            } else if (!trimmed.isEmpty()) {
                frames.add(HEX.parseHex(trimmed));
            }
        }
        return new Regression(file.getFileName().toString(), description.toString(), frames, ids);
    }

    private static byte[] bytes(Uuid id) {
        return java.nio.ByteBuffer.allocate(16)
                .putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits())
                .array();
    }

    private static void replace(byte[] haystack, byte[] needle, byte[] with) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                System.arraycopy(with, 0, haystack, i, with.length);
            }
        }
    }
}
