package dev.skein.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartitionProgressTest {
    @Test
    void committablePositionWaitsForTheEarliestUnfinishedRecord() {
        PartitionProgress progress = new PartitionProgress();
        for (long offset = 10; offset < 15; offset++) {
            progress.received(offset, 0);
        }
        progress.completed(12);
        progress.completed(14);
        assertThat(progress.committable()).isEqualTo(-1);
        progress.completed(10);
        assertThat(progress.committable()).isEqualTo(11);
        progress.completed(11);
        assertThat(progress.committable()).isEqualTo(13);
        assertThat(progress.outstanding()).isEqualTo(1);
        progress.completed(13);
        assertThat(progress.committable()).isEqualTo(15);
        assertThat(progress.outstanding()).isZero();
    }

    @Test
    void failedCommitIsRetried() {
        PartitionProgress progress = new PartitionProgress();
        progress.received(0, 0);
        progress.completed(0);
        progress.markCommitted(1);
        assertThat(progress.hasUncommitted()).isFalse();
        progress.commitFailed(1);
        assertThat(progress.hasUncommitted()).isTrue();
    }

    @Test
    void growsPastItsInitialCapacityKeepingOrder() {
        PartitionProgress progress = new PartitionProgress();
        for (long offset = 0; offset < 1000; offset++) {
            progress.received(offset, 0);
        }
        for (long offset = 999; offset >= 1; offset--) {
            progress.completed(offset);
        }
        assertThat(progress.committable()).isEqualTo(-1);
        progress.completed(0);
        assertThat(progress.committable()).isEqualTo(1000);
    }
}
