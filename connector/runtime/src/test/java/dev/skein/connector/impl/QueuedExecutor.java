package dev.skein.connector.impl;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** Stands in for a delivery thread: tasks queue up until the test runs them, in order, on its own thread. */
final class QueuedExecutor implements Executor {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs queued tasks, including those they queue, until none is left. */
    void runAll() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }
}
