package dev.skein.broker.protocol;

import org.apache.kafka.common.protocol.Errors;

/**
 * PRODUCER_FENCED (error 90, KIP-588) for clients that predate it: as Kafka's {@code KafkaApis}, a coordinator answer
 * of PRODUCER_FENCED to a request version older than the first one that knows it becomes INVALID_PRODUCER_EPOCH, the
 * fencing error those clients handle (kafkajs 2.2.4, for one, speaks AddPartitionsToTxn, AddOffsetsToTxn and EndTxn
 * v1 and reports error 90 as an unknown error).
 */
final class ProducerFencedCompat {
    /** First versions that may answer PRODUCER_FENCED. */
    static final short INIT_PRODUCER_ID = 4;

    static final short ADD_PARTITIONS_TO_TXN = 2;
    static final short ADD_OFFSETS_TO_TXN = 2;
    static final short END_TXN = 2;

    private ProducerFencedCompat() {}

    /** {@code error}, or INVALID_PRODUCER_EPOCH for PRODUCER_FENCED when {@code version < firstFencedVersion}. */
    static Errors forVersion(Errors error, short version, short firstFencedVersion) {
        return error == Errors.PRODUCER_FENCED && version < firstFencedVersion ? Errors.INVALID_PRODUCER_EPOCH : error;
    }
}
