package dev.skein.broker.group;

/** A group as ListGroups reports it; {@code protocolType} is "" for a group that only stores offsets. */
public record GroupListing(String groupId, String protocolType, String state) {}
