package dev.skein.operator.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.operator.status.Condition;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TopicOutcomeTest {
    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00.250Z");

    @Test
    void firstStatusRecordsReasonGenerationAndIdentity() {
        TopicStatus status = new TopicOutcome(TopicReason.Ready, "fine", "orders", "id-1").applyTo(null, 3, T0);

        Condition ready = status.condition(Condition.READY).orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getReason()).isEqualTo("Ready");
        assertThat(ready.getMessage()).isEqualTo("fine");
        assertThat(ready.getLastTransitionTime()).isEqualTo("2025-01-01T10:00:00Z");
        assertThat(ready.getObservedGeneration()).isEqualTo(3);
        assertThat(status.getObservedGeneration()).isEqualTo(3);
        assertThat(status.getTopicName()).isEqualTo("orders");
        assertThat(status.getTopicId()).isEqualTo("id-1");
    }

    @Test
    void transitionTimeChangesOnlyWithConditionStatus() {
        TopicStatus notReady = TopicOutcome.of(TopicReason.InvalidSpec, "bad").applyTo(null, 1, T0);
        TopicStatus stillNotReady =
                TopicOutcome.of(TopicReason.BrokerUnavailable, "down").applyTo(notReady, 1, T0.plusSeconds(60));
        TopicStatus ready =
                new TopicOutcome(TopicReason.Ready, "ok", "t", "id").applyTo(stillNotReady, 2, T0.plusSeconds(120));

        assertThat(stillNotReady.getConditions().get(0).getLastTransitionTime()).isEqualTo("2025-01-01T10:00:00Z");
        assertThat(stillNotReady.getConditions().get(0).getReason()).isEqualTo("BrokerUnavailable");
        assertThat(ready.getConditions().get(0).getLastTransitionTime()).isEqualTo("2025-01-01T10:02:00Z");
    }

    @Test
    void failureKeepsTheRecordedTopicIdentity() {
        TopicStatus ready = new TopicOutcome(TopicReason.Ready, "ok", "orders", "id-1").applyTo(null, 1, T0);
        TopicStatus down =
                TopicOutcome.of(TopicReason.BrokerUnavailable, "down").applyTo(ready, 1, T0);

        assertThat(down.getTopicName()).isEqualTo("orders");
        assertThat(down.getTopicId()).isEqualTo("id-1");
        assertThat(down.getConditions())
                .singleElement()
                .extracting(Condition::getStatus)
                .isEqualTo("False");
    }

    @Test
    void sameOutcomeTwiceGivesEqualStatusSoNothingIsPatched() {
        TopicOutcome outcome = new TopicOutcome(TopicReason.Ready, "ok", "orders", "id-1");
        TopicStatus first = outcome.applyTo(null, 1, T0);

        assertThat(outcome.applyTo(first, 1, T0.plusSeconds(300))).isEqualTo(first);
    }

    @Test
    void unmanagedAndPausedReportUnknown() {
        assertThat(TopicOutcome.of(TopicReason.Unmanaged, "m")
                        .applyTo(null, 1, T0)
                        .getConditions()
                        .get(0)
                        .getStatus())
                .isEqualTo("Unknown");
        assertThat(TopicOutcome.of(TopicReason.ReconciliationPaused, "p")
                        .applyTo(null, 1, T0)
                        .getConditions()
                        .get(0)
                        .getStatus())
                .isEqualTo("Unknown");
    }
}
