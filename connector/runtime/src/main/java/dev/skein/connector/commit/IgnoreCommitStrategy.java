package dev.skein.connector.commit;

/** Never commits: the application (or {@code enable.auto.commit=true}) owns the group's offsets. */
final class IgnoreCommitStrategy implements CommitStrategy {
    @Override
    public boolean due(long nowMs) {
        return false;
    }

    @Override
    public boolean commitsOnRevokeAndShutdown() {
        return false;
    }
}
