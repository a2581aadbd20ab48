package dev.skein.broker.txn;

/**
 * A producer-state snapshot could not be decoded: unknown format version, checksum mismatch, or inconsistent content.
 * The caller should discard the snapshot and rebuild producer state by replaying the log.
 */
public final class CorruptSnapshotException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorruptSnapshotException(String message) {
        super(message);
    }

    public CorruptSnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
