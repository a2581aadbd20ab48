package dev.skein.broker.protocol;

import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.PartitionRegistry;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.apache.kafka.common.requests.DescribeLogDirsResponse;

/**
 * DescribeLogDirs ({@code kafka-log-dirs}, {@code Admin.describeLogDirs}): the broker's single data directory with
 * the size on disk of every local partition replica asked for (all of them when the request names no topics), and
 * the directory's total and usable bytes. Skein moves no replicas between directories, so there are never future
 * replicas and the offset lag is 0.
 */
final class DescribeLogDirsApi implements ApiHandler {
    private final PartitionRegistry partitions;
    private final Path dataDir;

    DescribeLogDirsApi(PartitionRegistry partitions, Path dataDir) {
        this.partitions = partitions;
        this.dataDir = dataDir;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        DescribeLogDirsRequest describe = (DescribeLogDirsRequest) request;
        DescribeLogDirsResult result =
                new DescribeLogDirsResult().setLogDir(dataDir.toAbsolutePath().toString());
        try {
            FileStore store = Files.getFileStore(dataDir);
            result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
        } catch (IOException e) {
            result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
        Map<String, DescribeLogDirsTopic> topics = new TreeMap<>();
        Map<String, Set<Integer>> wanted = wanted(describe);
        for (Partition partition : partitions.all()) {
            TopicPartition tp = partition.topicPartition();
            if (wanted != null && !wanted.getOrDefault(tp.topic(), Set.of()).contains(tp.partition())) {
                continue;
            }
            topics.computeIfAbsent(tp.topic(), name -> new DescribeLogDirsTopic().setName(name))
                    .partitions()
                    .add(new DescribeLogDirsPartition()
                            .setPartitionIndex(tp.partition())
                            .setPartitionSize(partition.log().sizeInBytes())
                            .setOffsetLag(0)
                            .setIsFutureKey(false));
        }
        result.topics().addAll(topics.values());
        DescribeLogDirsResponseData response = new DescribeLogDirsResponseData();
        response.results().add(result);
        return CompletableFuture.completedFuture(new DescribeLogDirsResponse(response));
    }

    /** Topic → partitions asked for, or null for every partition. */
    private static Map<String, Set<Integer>> wanted(DescribeLogDirsRequest describe) {
        if (describe.isAllTopicPartitions()) {
            return null;
        }
        return describe.data().topics().stream()
                .collect(Collectors.toMap(
                        DescribableLogDirTopic::topic, topic -> Set.copyOf(topic.partitions()), (a, b) -> a));
    }
}
