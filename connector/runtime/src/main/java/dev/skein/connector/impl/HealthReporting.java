package dev.skein.connector.impl;

import io.smallrye.reactive.messaging.health.HealthReport;

/** A channel adds one entry per check to the connector's health reports. Thread-safe. */
public interface HealthReporting {
    void reportReadiness(HealthReport.HealthReportBuilder builder);

    void reportLiveness(HealthReport.HealthReportBuilder builder);
}
