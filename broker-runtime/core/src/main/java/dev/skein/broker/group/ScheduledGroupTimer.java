package dev.skein.broker.group;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link GroupTimer} on a shared {@link ScheduledExecutorService}; no thread per timer. Thread-safe. */
final class ScheduledGroupTimer implements GroupTimer {
    private static final Logger log = LoggerFactory.getLogger(ScheduledGroupTimer.class);

    private final ScheduledExecutorService executor;
    private final ConcurrentHashMap<String, Entry> tasks = new ConcurrentHashMap<>();

    ScheduledGroupTimer(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    private final class Entry implements Runnable {
        private final String name;
        private final Runnable task;
        private volatile ScheduledFuture<?> future;

        Entry(String name, Runnable task) {
            this.name = name;
            this.task = task;
        }

        @Override
        public void run() {
            if (!tasks.remove(name, this)) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("Group timer task {} failed", name, e);
            }
        }

        void cancel() {
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    @Override
    public void schedule(String name, long delayMs, Runnable task) {
        Entry entry = new Entry(name, task);
        Entry previous = tasks.put(name, entry);
        if (previous != null) {
            previous.cancel();
        }
        entry.future = executor.schedule(entry, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    }

    @Override
    public void cancel(String name) {
        Entry previous = tasks.remove(name);
        if (previous != null) {
            previous.cancel();
        }
    }
}
