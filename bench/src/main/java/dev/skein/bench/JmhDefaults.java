package dev.skein.bench;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The run settings every microbenchmark of this module shares, inherited by JMH (its {@code @Fork}, {@code @Warmup} and
 * {@code @Measurement} are {@code @Inherited}; a benchmark's own annotation wins): one fork with a fixed 1 GiB heap,
 * 3 warm-up iterations of 2 s, 5 measured iterations of 3 s.
 */
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public abstract class JmhDefaults {}
