package dev.skein.operator.topic;

import java.util.Collection;
import java.util.Optional;

/**
 * Decides which of several Topic resources naming the same Kafka topic on the same cluster manages it: the first by
 * {@link TopicClaim#PRECEDENCE}. The others are in conflict: they change nothing on the broker and their deletion
 * never deletes the topic. Pure and thread-safe.
 */
public final class TopicOwnership {
    private TopicOwnership() {}

    /**
     * The claim that wins over {@code self} among {@code claimants} (which may or may not include {@code self}), or
     * empty when {@code self} manages the topic.
     */
    public static Optional<TopicClaim> winnerOver(TopicClaim self, Collection<TopicClaim> claimants) {
        TopicClaim winner = self;
        for (TopicClaim claim : claimants) {
            if (!claim.sameResource(self) && TopicClaim.PRECEDENCE.compare(claim, winner) < 0) {
                winner = claim;
            }
        }
        return winner == self ? Optional.empty() : Optional.of(winner);
    }

    /** True when another live claimant exists, so deleting {@code self} must leave the topic to it. */
    public static boolean othersClaim(TopicClaim self, Collection<TopicClaim> claimants) {
        return claimants.stream().anyMatch(claim -> !claim.sameResource(self));
    }
}
