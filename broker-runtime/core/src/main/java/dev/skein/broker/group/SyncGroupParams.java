package dev.skein.broker.group;

import java.util.Map;

/**
 * A SyncGroup request in the coordinator's terms.
 *
 * @param protocolType null when the request version does not carry it
 * @param protocolName null when the request version does not carry it
 * @param assignments member id to assignment; only the leader sends any
 */
public record SyncGroupParams(
        String groupId,
        String memberId,
        String groupInstanceId,
        int generationId,
        String protocolType,
        String protocolName,
        Map<String, byte[]> assignments) {}
