package dev.skein.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PurgatoryTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void operationCompletedByItsConditionCancelsItsTimeout() {
        timer.setRemoveOnCancelPolicy(true);
        Purgatory purgatory = new Purgatory(timer);
        AtomicBoolean ready = new AtomicBoolean();
        AtomicInteger completions = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            purgatory.watch(
                    new DelayedOperation(List.of(TP)) {
                        @Override
                        protected boolean isSatisfied() {
                            return ready.get();
                        }

                        @Override
                        protected void onComplete() {
                            completions.incrementAndGet();
                        }
                    },
                    3_600_000L);
        }
        assertThat(timer.getQueue()).hasSize(100);

        ready.set(true);
        purgatory.checkAndComplete(TP);

        assertThat(completions).hasValue(100);
        assertThat(purgatory.size()).isZero();
        assertThat(timer.getQueue())
                .as("no timeout task left behind per answered request")
                .isEmpty();
    }
}
