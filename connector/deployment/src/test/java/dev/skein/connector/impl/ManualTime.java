package dev.skein.connector.impl;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that only moves when the test calls {@link #sleep(long)}. Not thread-safe: one driving thread. */
final class ManualTime extends Clock {
    private long nowMs = 1_000_000;

    @Override
    public long millis() {
        return nowMs;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(nowMs);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a manual clock has one zone");
    }

    /** Moves the clock forward by {@code ms}. */
    void sleep(long ms) {
        nowMs += ms;
    }
}
