package dev.skein.broker.log;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.TopicPartition;

/**
 * A fault-injection point for the process-level fault suite: a crash right after a follower truncation became
 * durable, before the follower fetches again (the window in which a truncation not yet committed to the state store
 * would come back after a restart).
 *
 * <p>Inert unless the JVM is started with {@code -Dskein.fault.halt.after.truncation.flag=<file>}; then, while that
 * file exists, {@link #afterTruncationCommitted} prints one line ({@code HALT after truncating <tp> to <offset>})
 * and halts the JVM with status {@link #HALT_STATUS}, as kill -9 would: no shutdown hook, nothing flushed. The file
 * lets the suite arm the point for one fault on a running broker; it is checked only when a truncation removed
 * something, which is rare, so the cost is nil.
 */
final class TruncationCrashPoint {
    static final String FLAG_PROPERTY = "skein.fault.halt.after.truncation.flag";
    static final int HALT_STATUS = 86;

    private static final Path FLAG = flagFile();

    private TruncationCrashPoint() {}

    private static Path flagFile() {
        String flag = System.getProperty(FLAG_PROPERTY);
        return flag == null || flag.isEmpty() ? null : Path.of(flag);
    }

    /** Called once a truncation of {@code tp} to {@code offset} is durable (segments and state store). */
    static void afterTruncationCommitted(TopicPartition tp, long offset) {
        if (FLAG != null && Files.exists(FLAG)) {
            System.err.println("HALT after truncating " + tp + " to " + offset);
            System.err.flush();
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }
}
