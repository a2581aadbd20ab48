package dev.skein.operator.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicOwnershipTest {
    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");

    @Test
    void olderResourceOwnsTheTopic() {
        TopicClaim older = new TopicClaim("ns", "a", "uid-b", T0, false);
        TopicClaim newer = new TopicClaim("ns", "b", "uid-a", T0.plusSeconds(1), false);

        assertThat(TopicOwnership.winnerOver(newer, List.of(older, newer))).contains(older);
        assertThat(TopicOwnership.winnerOver(older, List.of(older, newer))).isEmpty();
    }

    @Test
    void sameSecondTieGoesToTheResourceAlreadyManagingTheTopic() {
        TopicClaim incumbent = new TopicClaim("ns", "z", "uid-z", T0, true);
        TopicClaim challenger = new TopicClaim("ns", "a", "uid-a", T0, false);

        assertThat(TopicOwnership.winnerOver(challenger, List.of(incumbent))).contains(incumbent);
        assertThat(TopicOwnership.winnerOver(incumbent, List.of(challenger))).isEmpty();
    }

    @Test
    void fullTieIsBrokenByUidSoEveryReconciliationAgrees() {
        TopicClaim first = new TopicClaim("ns", "z", "uid-1", T0, false);
        TopicClaim second = new TopicClaim("ns", "a", "uid-2", T0, false);

        assertThat(TopicOwnership.winnerOver(second, List.of(first))).contains(first);
        assertThat(TopicOwnership.winnerOver(first, List.of(second))).isEmpty();
    }

    @Test
    void aStaleCopyOfItselfIsNoRival() {
        TopicClaim self = new TopicClaim("ns", "a", "uid-1", T0.plusSeconds(5), false);
        TopicClaim cachedSelf = new TopicClaim("ns", "a", "uid-1", T0, true);

        assertThat(TopicOwnership.winnerOver(self, List.of(cachedSelf))).isEmpty();
        assertThat(TopicOwnership.othersClaim(self, List.of(cachedSelf))).isFalse();
        assertThat(TopicOwnership.othersClaim(self, List.of(cachedSelf, new TopicClaim("ns", "b", "u", T0, false))))
                .isTrue();
    }

    @Test
    void claimOfResourceInConflictIsNotIncumbent() {
        Topic topic = TopicSpecValidatorTest.topic("a", "orders", 1, 1);
        topic.getMetadata().setCreationTimestamp("2025-01-01T10:00:00Z");
        topic.setStatus(new TopicOutcome(TopicReason.ResourceConflict, "taken", "orders", null).applyTo(null, 1, T0));
        assertThat(TopicClaim.of(topic).incumbent()).isFalse();

        topic.setStatus(new TopicOutcome(TopicReason.Ready, "ok", "orders", "id").applyTo(null, 1, T0));
        assertThat(TopicClaim.of(topic).incumbent()).isTrue();
        assertThat(TopicClaim.of(topic).createdAt()).isEqualTo(T0);
    }
}
