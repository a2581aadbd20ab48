package dev.skein.bench.sidebyside;

/**
 * What a max-rate cell measured over its window: records/s and MiB/s of record values, and the broker's CPU seconds
 * (user + system) per GiB of record values.
 */
record Throughput(double recordsPerSecond, double mibPerSecond, double cpuSecondsPerGiB) {}
