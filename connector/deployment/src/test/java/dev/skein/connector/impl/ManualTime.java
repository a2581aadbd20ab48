package dev.skein.connector.impl;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Time;

/** A clock that only moves when the test calls {@link #sleep(long)}. Not thread-safe: one driving thread. */
final class ManualTime implements Time {
    private long nowMs = 1_000_000;

    @Override
    public long milliseconds() {
        return nowMs;
    }

    @Override
    public long nanoseconds() {
        return TimeUnit.MILLISECONDS.toNanos(nowMs);
    }

    @Override
    public void sleep(long ms) {
        nowMs += ms;
    }
}
