package dev.skein.bench.sidebyside;

import java.time.Instant;
import java.util.List;

/** The context printed above the results: when, on what machine, under which load and with which settings. */
record RunInfo(
        Instant started,
        Instant finished,
        MachineInfo machine,
        String loadBefore,
        String loadAfter,
        int repetitions,
        List<String> settings) {}
