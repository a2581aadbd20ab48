package dev.skein.bench.sidebyside;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The broker processes a run has started and not yet stopped, so that a shutdown hook can kill them if the harness
 * dies or is interrupted. Thread-safe (the hook runs on its own thread).
 */
final class StartedProcesses {
    private final List<Process> running = new ArrayList<>();

    synchronized void add(Process process) {
        running.add(process);
    }

    synchronized void remove(Process process) {
        running.remove(process);
    }

    /** Kills (SIGKILL) every process still registered, with its descendants, waiting at most 10 s for each. */
    void killAll() {
        List<Process> left;
        synchronized (this) {
            left = List.copyOf(running);
            running.clear();
        }
        for (Process p : left) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
