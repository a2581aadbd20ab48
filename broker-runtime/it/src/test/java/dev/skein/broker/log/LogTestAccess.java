package dev.skein.broker.log;

/** Package-private seams of the log package for tests in other packages. */
public final class LogTestAccess {
    private LogTestAccess() {}

    /** The lock every fsync of {@code log} takes: while a test holds it, no fsync of the log can complete. */
    public static Object flushLock(PartitionLog log) {
        return log.flushLockForTests();
    }

    /** Offset below which the record bytes of {@code log} are on disk (what durable acks wait for). */
    public static long durableOffset(PartitionLog log) {
        return log.durableOffset();
    }
}
