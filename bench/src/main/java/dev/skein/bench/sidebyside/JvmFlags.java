package dev.skein.bench.sidebyside;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The broker JVMs' options: {@link BrokerLauncher#JVM_FLAGS} for both brokers, plus, when profiling, a JFR
 * recording ({@code settings=profile}) per broker start written to {@code <jfrDir>/<variant>-<dir name>.jfr}.
 */
record JvmFlags(String base, Optional<Path> jfrDir) {

    String forBroker(String variant, Path brokerDir) {
        return jfrDir.map(d -> base + " -XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                        + d.toAbsolutePath().resolve(variant + "-" + brokerDir.getFileName() + ".jfr"))
                .orElse(base);
    }
}
