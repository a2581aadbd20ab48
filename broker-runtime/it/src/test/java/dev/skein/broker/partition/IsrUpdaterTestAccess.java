package dev.skein.broker.partition;

/** Package-private seams of {@link IsrUpdater} for tests in other packages. */
public final class IsrUpdaterTestAccess {
    private IsrUpdaterTestAccess() {}

    /** Runs {@code hook} at the start of every ISR check, on the checking thread; {@link #reset} removes it. */
    public static void beforeEachCheck(Runnable hook) {
        IsrUpdater.beforeCheckForTests = hook;
    }

    public static void reset() {
        IsrUpdater.beforeCheckForTests = () -> {};
    }
}
