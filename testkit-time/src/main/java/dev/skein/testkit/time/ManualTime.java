package dev.skein.testkit.time;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.utils.Time;

/**
 * A clock that moves only when the test says so, for code that takes kafka-clients' {@link Time} (the broker) or a
 * {@link java.time.Clock} ({@link #asClock()}, the connector). kafka-clients' own {@code MockTime} lives in its
 * unpublished test jar. Thread-safe: any thread may read it while the test thread advances it.
 *
 * <p>The one manual clock of every module's tests. It lives in its own leaf module ({@code testkit-time}, which depends
 * on kafka-clients only) rather than in {@code testkit}: the rest of the kit starts brokers, so it depends on the broker
 * core, and the core's own unit tests could not then use the kit's clock without a Maven cycle. {@code testkit}
 * depends on this module, so its users get the clock with the rest of the kit.
 */
public final class ManualTime implements Time {
    private final AtomicLong nowMs;

    /** Starts at a fixed instant in 2023, so runs are reproducible. */
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

    /** A {@link Clock} (UTC) that reads this time. */
    public Clock asClock() {
        return new Clock() {
            @Override
            public long millis() {
                return nowMs.get();
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(nowMs.get());
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException("a manual clock has one zone");
            }
        };
    }
}
