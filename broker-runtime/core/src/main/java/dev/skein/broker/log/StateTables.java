package dev.skein.broker.log;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import org.mapdb.Atomic;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * The open MapDB file behind {@link BrokerStateStore} and its named collections. Partitions are keyed by
 * {@code topic + "-" + partition}. Not thread-safe: {@link BrokerStateStore} serializes every use.
 */
record StateTables(
        DB db,
        ConcurrentMap<String, Long> recoveryPoints,
        ConcurrentMap<String, Long> highWatermarks,
        ConcurrentMap<String, Long> logStartOffsets,
        ConcurrentMap<String, long[]> leaderEpochs,
        ConcurrentMap<String, byte[]> producerSnapshots,
        ConcurrentMap<String, Long> producerSnapshotOffsets,
        ConcurrentMap<String, Long> cleanerCheckpoints,
        Atomic.Boolean cleanShutdown) {

    /** Opens or creates {@code file} in transactional mode; a corrupt file makes this or a later read throw. */
    static StateTables open(Path file) {
        DB db = DBMaker.fileDB(file.toFile()).transactionEnable().make();
        return new StateTables(
                db,
                db.hashMap("recoveryPoints", Serializer.STRING, Serializer.LONG).createOrOpen(),
                db.hashMap("highWatermarks", Serializer.STRING, Serializer.LONG).createOrOpen(),
                db.hashMap("logStartOffsets", Serializer.STRING, Serializer.LONG)
                        .createOrOpen(),
                db.hashMap("leaderEpochs", Serializer.STRING, Serializer.LONG_ARRAY)
                        .createOrOpen(),
                db.hashMap("producerSnapshots", Serializer.STRING, Serializer.BYTE_ARRAY)
                        .createOrOpen(),
                db.hashMap("producerSnapshotOffsets", Serializer.STRING, Serializer.LONG)
                        .createOrOpen(),
                db.hashMap("cleanerCheckpoints", Serializer.STRING, Serializer.LONG)
                        .createOrOpen(),
                db.atomicBoolean("cleanShutdown", false).createOrOpen());
    }

    /** Deserializes every stored value and checks it is possible; throws if one is not. */
    void verify() {
        cleanShutdown.get();
        for (Map<String, Long> offsets :
                List.of(recoveryPoints, highWatermarks, logStartOffsets, producerSnapshotOffsets, cleanerCheckpoints)) {
            for (Map.Entry<String, Long> entry : offsets.entrySet()) {
                if (entry.getKey() == null || entry.getValue() == null || entry.getValue() < -1) {
                    throw new IllegalStateException("impossible offset " + entry);
                }
            }
        }
        for (Map.Entry<String, long[]> entry : leaderEpochs.entrySet()) {
            if (entry.getValue() == null || entry.getValue().length % 2 != 0) {
                throw new IllegalStateException("leader-epoch entries of " + entry.getKey() + " are not pairs");
            }
        }
        for (Map.Entry<String, byte[]> entry : producerSnapshots.entrySet()) {
            if (entry.getValue() == null) {
                throw new IllegalStateException("producer snapshot of " + entry.getKey() + " is unreadable");
            }
        }
    }

    /** Closes the file; failures are added to {@code cause} (the file is being given up on). */
    void closeAfterFailure(Throwable cause) {
        try {
            if (!db.isClosed()) {
                db.close();
            }
        } catch (RuntimeException | java.io.IOError | AssertionError suppressed) {
            cause.addSuppressed(suppressed);
        }
    }
}
