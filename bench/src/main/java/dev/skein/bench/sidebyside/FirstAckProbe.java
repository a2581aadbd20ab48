package dev.skein.bench.sidebyside;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

/**
 * Start-up time as a user sees it: from the broker process's launch until the first record is acknowledged. Polls
 * the listener every 10 ms until it accepts a TCP connection, creates a one-partition topic (retrying while the
 * broker is not ready, e.g. Kafka's controller has not unfenced it yet), then sends one 1 KiB record with
 * {@code acks=all} and waits for its acknowledgement. Every wait is bounded by {@code timeoutSeconds} from launch.
 */
final class FirstAckProbe {
    private static final long POLL_MS = 10;
    private static final long RETRY_MS = 20;

    private final Time time;

    FirstAckProbe(Time time) {
        this.time = time;
    }

    /** Milliseconds from launch to the first acknowledged record. */
    double run(RunningBroker broker, byte[] value, int timeoutSeconds)
            throws IOException, InterruptedException, ExecutionException, TimeoutException {
        long deadline = broker.launchNanos() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        waitForListener(broker, deadline);
        String topic = "first-ack";
        try (Admin admin = Admin.create(ClientConfigs.admin(broker.bootstrap(), timeoutSeconds))) {
            createWithRetries(admin, broker, topic, deadline);
        }
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(ClientConfigs.producer(broker.bootstrap(), "all", "none", timeoutSeconds))) {
            producer.send(new ProducerRecord<>(topic, 0, null, value))
                    .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        }
        return (time.nanoseconds() - broker.launchNanos()) / 1e6;
    }

    private void waitForListener(RunningBroker broker, long deadline) throws IOException, InterruptedException {
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(broker.host(), broker.port()), 1000);
                return;
            } catch (IOException e) {
                if (!broker.isAlive()) {
                    throw new IOException(
                            broker.variant() + " exited during start-up; its output ends with:\n"
                                    + broker.outputTail(30),
                            e);
                }
                if (time.nanoseconds() > deadline) {
                    throw new IOException(broker.variant() + " did not open port " + broker.port() + " in time", e);
                }
                time.sleep(POLL_MS);
            }
        }
    }

    private void createWithRetries(Admin admin, RunningBroker broker, String topic, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        while (true) {
            try {
                Topics.create(admin, topic, 1, (int) Math.max(1, remainingMs(deadline) / 1000));
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    return;
                }
                if (time.nanoseconds() > deadline || !broker.isAlive()) {
                    throw e;
                }
                time.sleep(RETRY_MS);
            }
        }
    }

    private long remainingMs(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - time.nanoseconds()));
    }
}
