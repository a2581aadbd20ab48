package dev.skein.broker.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.jute.BinaryOutputArchive;
import org.apache.kafka.common.errors.PolicyViolationException;

/**
 * Keeps ZooKeeper writes that a client's request sizes (a topic's partition count, its config) below what ZooKeeper
 * accepts in one request: {@code jute.maxbuffer}, 1 MiB by default on both sides. A larger request is not refused
 * by ZooKeeper with an error but by closing the session's connection, and Curator sends it again on reconnect, so one
 * CreateTopics with ten thousand partitions would cut the broker off ZooKeeper over and over (the fuzzer found it).
 * Such a write is refused up front with POLICY_VIOLATION and a message that says how to split it.
 */
final class ZkRequestSize {
    /** Room left for the request header, the chroot prefixed to each path, and a server with a smaller limit. */
    private static final double USABLE_SHARE = 0.75;

    private static final int PER_OP_OVERHEAD = 64;

    private ZkRequestSize() {}

    /** The bytes one request may carry: three quarters of {@code jute.maxbuffer} (default 1 MiB). */
    static int budget() {
        return (int) (Integer.getInteger("jute.maxbuffer", 0xfffff) * USABLE_SHARE);
    }

    /**
     * Refuses a multi-operation transaction too large for one ZooKeeper request.
     *
     * @param what what the write does, for the message (e.g. "creating 9986 partitions of topic t")
     * @throws PolicyViolationException if the serialized operations exceed {@link #budget()}
     */
    static void check(String what, List<CuratorOp> ops) {
        long bytes = 0;
        for (CuratorOp op : ops) {
            bytes += serializedSize(op) + PER_OP_OVERHEAD;
        }
        refuseAbove(what, bytes);
    }

    /**
     * Cuts {@code ops} into consecutive runs, in their order, each small enough for one request of {@code budget}
     * bytes (see {@link #budget()}). For writes the broker must make whatever their size, such as deleting every
     * znode of a topic that grew through CreatePartitions: the caller commits the runs one after the other, so the
     * order must already be safe to stop at any run (children before their parent).
     */
    static List<List<CuratorOp>> split(List<CuratorOp> ops, int budget) {
        List<List<CuratorOp>> runs = new ArrayList<>();
        List<CuratorOp> run = new ArrayList<>();
        long bytes = 0;
        for (CuratorOp op : ops) {
            long size = serializedSize(op) + PER_OP_OVERHEAD;
            if (!run.isEmpty() && bytes + size > budget) {
                runs.add(run);
                run = new ArrayList<>();
                bytes = 0;
            }
            run.add(op);
            bytes += size;
        }
        if (!run.isEmpty()) {
            runs.add(run);
        }
        return runs;
    }

    /** Refuses a single write of {@code dataBytes} bytes of znode data. */
    static void checkData(String what, int dataBytes) {
        refuseAbove(what, (long) dataBytes + PER_OP_OVERHEAD);
    }

    private static void refuseAbove(String what, long bytes) {
        int budget = budget();
        if (bytes > budget) {
            throw new PolicyViolationException(what + " needs one ZooKeeper write of about " + bytes / 1024
                    + " KiB, more than the " + budget / 1024 + " KiB one write may carry (jute.maxbuffer); "
                    + "split it (e.g. create fewer partitions, then add more with CreatePartitions)");
        }
    }

    private static long serializedSize(CuratorOp op) {
        CountingStream counter = new CountingStream();
        try {
            op.get().toRequestRecord().serialize(BinaryOutputArchive.getArchive(counter), "op");
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot size ZooKeeper operation on " + op.get().getPath(), e);
        }
        return counter.count;
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
