package dev.skein.connector.deployment;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/** What the members of a consumer group own, as the broker describes it to the Admin client. */
final class GroupOwnership {
    private GroupOwnership() {}

    /** The partitions each member of {@code group} owns; none while no member has joined the group yet. */
    static List<Set<TopicPartition>> of(Admin admin, String group) throws Exception {
        ConsumerGroupDescription description;
        try {
            description = admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return List.of();
            }
            throw e;
        }
        List<Set<TopicPartition>> owned = new ArrayList<>();
        for (MemberDescription member : description.members()) {
            owned.add(member.assignment().topicPartitions());
        }
        return owned;
    }
}
