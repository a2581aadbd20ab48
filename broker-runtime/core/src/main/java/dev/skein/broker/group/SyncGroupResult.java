package dev.skein.broker.group;

import org.apache.kafka.common.protocol.Errors;

/** The answer to a SyncGroup: the member's assignment, or an error with an empty assignment. */
public record SyncGroupResult(Errors error, String protocolType, String protocolName, byte[] assignment) {
    static SyncGroupResult error(Errors error) {
        return new SyncGroupResult(error, null, null, new byte[0]);
    }
}
