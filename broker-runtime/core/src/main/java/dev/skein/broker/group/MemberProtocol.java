package dev.skein.broker.group;

/** One assignment protocol a member supports, with its opaque metadata (e.g. the consumer subscription). */
public record MemberProtocol(String name, byte[] metadata) {}
