package dev.skein.connector.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Runs a test class that is a whole Quarkus application (a {@code QuarkusUnitTest} that surefire's name pattern does
 * not pick up) through the JUnit launcher, so it starts and stops completely, and asserts its one test passed.
 */
final class ApplicationRuns {
    private ApplicationRuns() {}

    static void runAndAssertPassed(Class<?> application) {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(
                LauncherDiscoveryRequestBuilder.request()
                        .selectors(selectClass(application))
                        .build(),
                listener);
        listener.getSummary().getFailures().forEach(failure -> failure.getException()
                .printStackTrace());
        assertThat(listener.getSummary().getTestsSucceededCount())
                .as(application.getSimpleName() + " passed")
                .isEqualTo(1);
        assertThat(listener.getSummary().getTotalFailureCount()).isZero();
    }
}
