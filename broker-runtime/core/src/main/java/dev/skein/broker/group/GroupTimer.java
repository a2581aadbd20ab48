package dev.skein.broker.group;

/**
 * Named one-shot timers for heartbeat expiry and delayed joins. Scheduling under a name replaces the task
 * scheduled under that name; a task checks its own preconditions when it runs, so a task that races with its
 * replacement does nothing harmful.
 */
interface GroupTimer {
    void schedule(String name, long delayMs, Runnable task);

    void cancel(String name);
}
