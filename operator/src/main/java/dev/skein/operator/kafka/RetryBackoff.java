package dev.skein.operator.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exponential retry delays per resource: {@code initial}, then doubled on every consecutive failure up to {@code max},
 * and back to {@code initial} after {@link #reset}. Kept in memory only, so an operator restart starts over at
 * {@code initial}. Thread-safe; keys are resource uids.
 */
public final class RetryBackoff {
    private final Duration initial;
    private final Duration max;
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();

    public RetryBackoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** Records one more failure for {@code key} and returns how long to wait before the next attempt. */
    public Duration nextDelay(String key) {
        int attempt = failures.merge(key, 1, Integer::sum);
        Duration delay = initial;
        for (int i = 1; i < attempt && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /** Forgets the failures of {@code key}: it succeeded or is gone. */
    public void reset(String key) {
        failures.remove(key);
    }
}
