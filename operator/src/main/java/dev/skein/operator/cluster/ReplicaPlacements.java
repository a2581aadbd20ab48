package dev.skein.operator.cluster;

import java.util.List;
import java.util.Map;

/** Where the replicas of every partition of a cluster are: the one question the scale-down guard asks the brokers. */
public interface ReplicaPlacements {

    /**
     * The replica broker ids of every partition, internal topics included, keyed {@code <topic>-<partition>}.
     *
     * @param bootstrapServers the cluster's Kafka bootstrap address
     * @throws BrokersUnreachableException when the brokers do not answer within a short timeout
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    Map<String, List<Integer>> read(String bootstrapServers) throws BrokersUnreachableException, InterruptedException;

    /** The brokers could not be asked; the message says why. */
    final class BrokersUnreachableException extends Exception {
        public BrokersUnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
