package dev.skein.connector.deployment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Dev Services broker's class path: the jars that {@code skein-connector-dev-broker} carries as resources under
 * {@value #ROOT}, extracted once into {@code <cache>/<sha256>/} and reused by every later start (and every JVM) with the
 * same distribution. The build writes {@code index}: a {@code sha256=<hex>} line over all the jars, then one jar name
 * per line.
 *
 * <p>Extraction goes to a private temporary directory that is then renamed into place, so concurrent JVMs never see
 * a half-written directory; a directory with a missing jar (e.g. removed by a tmp cleaner) is extracted again.
 *
 * @param sha256 the distribution's checksum (identifies the broker build, e.g. in the shared-broker registry)
 * @param classPath the extracted jars, in index order
 */
record DevBrokerDistribution(String sha256, List<Path> classPath) {
    static final String ROOT = "META-INF/skein/dev-broker/";
    static final String MAIN_CLASS = "dev.skein.devbroker.DevBrokerMain";
    /** How long an extracted distribution may go unused before a start with another distribution deletes it. */
    static final Duration UNUSED_FOR = Duration.ofHours(1);

    /**
     * Finds the distribution through {@code loader} and makes sure it is extracted under {@code cacheRoot}.
     *
     * @throws IllegalStateException if the distribution is not on the class path (a broken extension install)
     * @throws UncheckedIOException if extraction fails
     */
    static DevBrokerDistribution extract(ClassLoader loader, Path cacheRoot) {
        List<String> index = readIndex(loader);
        if (index.isEmpty() || !index.get(0).startsWith("sha256=")) {
            throw new IllegalStateException("Corrupt Dev Services broker index " + ROOT + "index: " + index);
        }
        String sha256 = index.get(0).substring("sha256=".length()).trim();
        List<String> jars = index.subList(1, index.size());
        Path target = cacheRoot.resolve(sha256);
        try {
            if (!complete(target, jars)) {
                extractInto(loader, cacheRoot, target, jars);
            }
            Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
            removeUnused(cacheRoot, target);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not extract the Dev Services broker into " + target, e);
        }
        return new DevBrokerDistribution(
                sha256, jars.stream().map(target::resolve).toList());
    }

    private static List<String> readIndex(ClassLoader loader) {
        InputStream in = loader.getResourceAsStream(ROOT + "index");
        if (in == null) {
            throw new IllegalStateException("The Dev Services broker (" + ROOT + "index from "
                    + "dev.skein:skein-connector-dev-broker) is not on the build class path");
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines()
                    .map(String::trim)
                    .filter(line -> !line.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the Dev Services broker index", e);
        }
    }

    private static boolean complete(Path dir, List<String> jars) {
        return Files.isDirectory(dir) && jars.stream().allMatch(jar -> Files.isRegularFile(dir.resolve(jar)));
    }

    private static void extractInto(ClassLoader loader, Path cacheRoot, Path target, List<String> jars)
            throws IOException {
        Files.createDirectories(cacheRoot);
        Path staging = Files.createTempDirectory(cacheRoot, "extracting-");
        try {
            for (String jar : jars) {
                try (InputStream in = loader.getResourceAsStream(ROOT + jar)) {
                    if (in == null) {
                        throw new IllegalStateException("The Dev Services broker index names " + jar
                                + " but the distribution does not contain it");
                    }
                    Files.copy(in, staging.resolve(jar));
                }
            }
            if (Files.isDirectory(target)) {
                // incomplete leftover (complete() said so): replace it
                deleteTree(target);
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                if (!complete(target, jars)) {
                    throw e;
                }
                // another JVM extracted the same distribution first: use theirs
            }
        } finally {
            if (Files.exists(staging)) {
                deleteTree(staging);
            }
        }
    }

    /**
     * Deletes other distributions (earlier broker builds) not used for {@link #UNUSED_FOR}, so rebuilding Skein does not
     * pile up 50 MB copies. A broker still running from one keeps its open jars on POSIX file systems; where files in
     * use cannot be deleted (Windows) the directory simply stays.
     */
    private static void removeUnused(Path cacheRoot, Path current) {
        Instant cutoff = Instant.now().minus(UNUSED_FOR);
        try (Stream<Path> dirs = Files.list(cacheRoot)) {
            for (Path dir : dirs.toList()) {
                if (!dir.equals(current)
                        && Files.isDirectory(dir)
                        && Files.getLastModifiedTime(dir).toInstant().isBefore(cutoff)) {
                    deleteTree(dir);
                }
            }
        } catch (IOException e) {
            // best effort: a leftover directory costs disk space, not correctness
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> paths = new ArrayList<>(files.toList());
            paths.sort(Comparator.reverseOrder());
            for (Path path : paths) {
                Files.deleteIfExists(path);
            }
        }
    }
}
