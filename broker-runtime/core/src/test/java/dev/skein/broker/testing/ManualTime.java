package dev.skein.broker.testing;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.utils.Time;

/** A clock that moves only when the test says so (kafka-clients' MockTime lives in its unpublished test jar). */
public final class ManualTime implements Time {
    private final AtomicLong nowMs;

    public ManualTime() {
        this(1_700_000_000_000L);
    }

    public ManualTime(long startMs) {
        this.nowMs = new AtomicLong(startMs);
    }

    @Override
    public long milliseconds() {
        return nowMs.get();
    }

    @Override
    public long nanoseconds() {
        return nowMs.get() * 1_000_000L;
    }

    /** Advances the clock instead of sleeping. */
    @Override
    public void sleep(long ms) {
        nowMs.addAndGet(ms);
    }
}
