package dev.skein.broker.group;

/** A member named in LeaveGroup: by member id, or by group instance id with member id "". */
public record MemberIdentity(String memberId, String groupInstanceId) {}
