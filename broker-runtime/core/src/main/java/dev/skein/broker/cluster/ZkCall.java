package dev.skein.broker.cluster;

import org.apache.kafka.common.KafkaException;

/**
 * The one translation of ZooKeeper failures for metadata operations: {@link InterruptedException} and
 * {@link KafkaException} (the outcomes a method declares, e.g. {@code TopicExistsException}) pass through unchanged;
 * any other exception (Curator's and ZooKeeper's checked {@code KeeperException}s, connection loss beyond the retry
 * policy) becomes a {@link KafkaException} naming the action. Outcomes that are answers rather than failures
 * (a znode that exists or is missing, a version that moved) are caught inside the body.
 */
final class ZkCall {
    private ZkCall() {}

    /** A ZooKeeper operation that returns a value. */
    @FunctionalInterface
    interface Operation<T> {
        T run() throws Exception;
    }

    /** A ZooKeeper operation that returns nothing. */
    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    /**
     * Runs {@code body}, translating failures as the class describes.
     *
     * @param action what is being done, for the message, e.g. {@code "creating topic t"}
     */
    static <T> T call(String action, Operation<T> body) throws InterruptedException {
        try {
            return body.run();
        } catch (InterruptedException | KafkaException e) {
            throw e;
        } catch (Exception e) {
            throw new KafkaException("ZooKeeper failed while " + action + ": " + e, e);
        }
    }

    /** {@link #call} for an operation without a result. */
    static void run(String action, Action body) throws InterruptedException {
        call(action, () -> {
            body.run();
            return null;
        });
    }
}
