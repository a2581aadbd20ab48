package dev.skein.connector.commit;

/** Commits acknowledged positions at most once per interval; watches for records left unacknowledged too long. */
final class ThrottledCommitStrategy implements CommitStrategy {
    private final long intervalMs;
    private final long maxAgeMs;
    private long lastCommitMs = -1;

    ThrottledCommitStrategy(long intervalMs, long maxAgeMs) {
        this.intervalMs = intervalMs;
        this.maxAgeMs = maxAgeMs;
    }

    @Override
    public boolean due(long nowMs) {
        if (lastCommitMs < 0) {
            lastCommitMs = nowMs;
        }
        return nowMs - lastCommitMs >= intervalMs;
    }

    @Override
    public void committed(long nowMs) {
        lastCommitMs = nowMs;
    }

    @Override
    public long unprocessedRecordMaxAgeMs() {
        return maxAgeMs;
    }
}
