package dev.skein.broker.log;

/**
 * What opening a partition log had to repair.
 *
 * @param cleanShutdown whether the broker had marked its previous shutdown clean
 * @param bytesTruncated bytes dropped from the log tail (invalid batch and everything after it)
 * @param segmentsDeleted whole segments dropped because they followed the invalid batch
 * @param indexesRebuilt segments whose offset and time indexes were rebuilt from the log
 * @param logEndOffset the log end offset after recovery
 */
public record RecoveryResult(
        boolean cleanShutdown, long bytesTruncated, int segmentsDeleted, int indexesRebuilt, long logEndOffset) {}
