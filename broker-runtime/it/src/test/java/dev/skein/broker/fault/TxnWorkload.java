package dev.skein.broker.fault;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The fault suite's transactional workload: {@value #PRODUCERS} threads, each a Java transactional producer with its
 * own {@code transactional.id}, run transactions back to back (a commit storm). Every transaction writes 1-6 records
 * to seeded random partitions of the topic and then commits or (about a third of them, seeded) aborts, mostly after
 * flushing so that aborted records really are in the log. The value of
 * record {@code i} of {@code n} is {@code <txn>:<i>/<n>}, the transaction's key {@code p<producer>-<seq>} is unique.
 *
 * <p>Every transaction's {@link Outcome} is kept: {@code COMMITTED} once {@code commitTransaction} returned,
 * {@code ABORTED} when the producer never asked to commit it (an abort, or an error before the commit), and
 * {@code AMBIGUOUS} when {@code commitTransaction} threw (the broker may have committed it or not). A producer that
 * threw is closed and a new one with the same id takes over ({@code initTransactions} completes or aborts what is
 * left).
 *
 * <p>Hooks ({@link #arm}) let a {@link FaultSchedule} act at a precise point of one producer's next transaction: just
 * before {@code commitTransaction} (after a delay, on another thread, so the commit is in flight), right after it
 * returned (the EndTxn answer is in; the markers may not be), or while the transaction is open with its records
 * flushed to the partition leaders.
 */
final class TxnWorkload implements FaultSchedule.Progress, AutoCloseable {
    static final int PRODUCERS = 3;
    private static final int ABORT_PERCENT = 33;

    /** What the producer knows about a transaction. */
    enum Outcome {
        OPEN,
        COMMITTED,
        ABORTED,
        AMBIGUOUS
    }

    /** Where a hook acts in a producer's next transaction. */
    enum Phase {
        /** Records sent and flushed (acknowledged by the leaders), commit or abort not requested yet. */
        OPEN,
        /** {@code commitTransaction} about to be called; the action runs after the hook's delay on another thread. */
        BEFORE_COMMIT,
        /** {@code commitTransaction} just returned; the action runs on the producer's thread before anything else. */
        AFTER_COMMIT
    }

    /** A hook's action: gets the producer's transactional id and the partitions its transaction wrote to. */
    interface HookAction {
        void run(String transactionalId, Set<Integer> partitions) throws Exception;
    }

    /** An armed hook; {@link #fired} completes once its action ran (exceptionally if the action threw). */
    record Hook(int producer, Phase phase, long delayMs, HookAction action, CompletableFuture<String> fired) {}

    /** One transaction as its producer saw it; nanoTime stamps, -1 while not reached. */
    static final class Txn {
        final String key;
        final int producer;
        final int count;
        final Set<Integer> partitions;
        final long beganNanos;
        volatile long commitRequestedNanos = -1;
        volatile long endedNanos = -1;
        volatile Outcome outcome = Outcome.OPEN;
        volatile String error;

        Txn(String key, int producer, int count, Set<Integer> partitions, long beganNanos) {
            this.key = key;
            this.producer = producer;
            this.count = count;
            this.partitions = partitions;
            this.beganNanos = beganNanos;
        }
    }

    private final String topic;
    private final int partitions;
    private final String bootstrap;
    private final long seed;
    private final Map<String, Txn> txns = new ConcurrentHashMap<>();
    private final List<Txn> committed = new ArrayList<>(); // guarded by itself; in commit order
    private final AtomicReference<Hook> hook = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private final TxnReader reader;
    private volatile boolean running = true;

    TxnWorkload(String topic, int partitions, String bootstrap, long seed) {
        this.topic = topic;
        this.partitions = partitions;
        this.bootstrap = bootstrap;
        this.seed = seed;
        this.reader = new TxnReader(topic, partitions, bootstrap);
        for (int k = 0; k < PRODUCERS; k++) {
            int producer = k;
            threads.add(new Thread(() -> produceLoop(producer), "txn-producer-" + k));
        }
        threads.forEach(Thread::start);
    }

    static String transactionalId(int producer) {
        return "fault-txn-" + producer;
    }

    Map<String, Txn> txns() {
        return txns;
    }

    TxnReader reader() {
        return reader;
    }

    long count(Outcome outcome) {
        return txns.values().stream().filter(t -> t.outcome == outcome).count();
    }

    /** How many transactions ended with each error (its text, cut at 160 characters). */
    Map<String, Long> errorKinds() {
        Map<String, Long> counts = new TreeMap<>();
        for (Txn txn : txns.values()) {
            if (txn.error != null) {
                counts.merge(txn.error.substring(0, Math.min(160, txn.error.length())), 1L, Long::sum);
            }
        }
        return counts;
    }

    @Override
    public long ackCount() {
        synchronized (committed) {
            return committed.size();
        }
    }

    /** The earliest commit (nanoTime) of a transaction begun at or after {@code sinceNanos} touching the partitions. */
    @Override
    public long firstAckSentAfter(long sinceNanos, Collection<Integer> partitions) {
        long first = -1;
        synchronized (committed) {
            for (int i = committed.size() - 1; i >= 0 && committed.get(i).endedNanos >= sinceNanos; i--) {
                Txn txn = committed.get(i);
                if (txn.beganNanos >= sinceNanos && txn.partitions.stream().anyMatch(partitions::contains)) {
                    first = txn.endedNanos;
                }
            }
        }
        return first;
    }

    /** Arms a hook for the producer's next transaction (one hook at a time); see {@link Hook#fired}. */
    Hook arm(int producer, Phase phase, long delayMs, HookAction action) {
        Hook armed = new Hook(producer, phase, delayMs, action, new CompletableFuture<>());
        if (!hook.compareAndSet(null, armed)) {
            throw new IllegalStateException("a hook is already armed");
        }
        return armed;
    }

    /** Disarms the hook unless a producer already claimed it; true if it was disarmed (it will never fire). */
    boolean disarm(Hook armed) {
        return hook.compareAndSet(armed, null);
    }

    private Hook claim(int producer, Phase phase) {
        Hook armed = hook.get();
        if (armed != null
                && armed.producer() == producer
                && armed.phase() == phase
                && hook.compareAndSet(armed, null)) {
            return armed;
        }
        return null;
    }

    private static void fire(Hook hook, Txn txn) {
        try {
            hook.action().run(transactionalId(txn.producer), txn.partitions);
            hook.fired().complete(txn.key);
        } catch (Exception | AssertionError e) {
            hook.fired().completeExceptionally(e);
        }
    }

    private void produceLoop(int producer) {
        Random random = new Random(seed * 31 + producer);
        KafkaProducer<byte[], byte[]> client = null;
        long seq = 0;
        try {
            while (running) {
                if (client == null) {
                    client = initialized(producer);
                    if (client == null) {
                        Thread.sleep(200);
                        continue;
                    }
                }
                int count = 1 + random.nextInt(6);
                int[] targets = new int[count];
                Set<Integer> touched = new TreeSet<>();
                for (int i = 0; i < count; i++) {
                    targets[i] = random.nextInt(partitions);
                    touched.add(targets[i]);
                }
                boolean commit = random.nextInt(100) >= ABORT_PERCENT;
                boolean flushFirst = random.nextInt(4) != 0;
                Txn txn =
                        new Txn("p" + producer + "-" + seq++, producer, count, Set.copyOf(touched), System.nanoTime());
                txns.put(txn.key, txn);
                if (!runTransaction(client, txn, targets, commit, flushFirst)) {
                    client.close(Duration.ZERO);
                    client = null;
                }
                Thread.sleep(random.nextInt(15));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (client != null) {
                client.close(Duration.ofSeconds(10));
            }
        }
    }

    /**
     * One transaction; false if the producer threw (the outcome says what that means) and must be replaced. An abort
     * with {@code flushFirst} waits for the records to be in the log first (else the client mostly drops them unsent).
     */
    private boolean runTransaction(
            KafkaProducer<byte[], byte[]> client, Txn txn, int[] targets, boolean commit, boolean flushFirst) {
        try {
            client.beginTransaction();
            for (int i = 0; i < txn.count; i++) {
                String value = txn.key + ":" + i + "/" + txn.count;
                client.send(new ProducerRecord<>(topic, targets[i], bytes("p" + txn.producer), bytes(value)));
            }
            Hook open = claim(txn.producer, Phase.OPEN);
            if (open != null) {
                try {
                    client.flush();
                } finally {
                    fire(open, txn); // a claimed hook always fires, even if the flush threw
                }
            }
            if (commit) {
                Hook before = claim(txn.producer, Phase.BEFORE_COMMIT);
                txn.commitRequestedNanos = System.nanoTime();
                if (before != null) {
                    CompletableFuture.delayedExecutor(before.delayMs(), TimeUnit.MILLISECONDS)
                            .execute(() -> fire(before, txn));
                }
                client.commitTransaction();
                txn.endedNanos = System.nanoTime();
                txn.outcome = Outcome.COMMITTED;
                synchronized (committed) {
                    committed.add(txn);
                }
                Hook after = claim(txn.producer, Phase.AFTER_COMMIT);
                if (after != null) {
                    fire(after, txn);
                }
            } else {
                if (flushFirst) {
                    client.flush();
                }
                client.abortTransaction();
                txn.endedNanos = System.nanoTime();
                txn.outcome = Outcome.ABORTED;
            }
            return true;
        } catch (RuntimeException e) {
            txn.endedNanos = System.nanoTime();
            txn.error = e.getCause() == null ? e.toString() : e + " <- " + e.getCause();
            // Without a commit request the coordinator can only abort it (on the next InitProducerId or a timeout).
            txn.outcome = txn.commitRequestedNanos < 0 ? Outcome.ABORTED : Outcome.AMBIGUOUS;
            return false;
        }
    }

    /** A new producer for the id after {@code initTransactions} (which fences and settles the old one), or null. */
    private KafkaProducer<byte[], byte[]> initialized(int producer) {
        // Producer 0 is impatient: its blocking calls give up after 2.5 s, so a commit across a failover throws (an
        // ambiguous outcome) and a new producer settles it; the others wait up to 20 s and rarely see a commit fail.
        long maxBlockMs = producer == 0 ? 2500 : 20_000;
        KafkaProducer<byte[], byte[]> client =
                new KafkaProducer<>(producerProps(bootstrap, transactionalId(producer), maxBlockMs));
        try {
            client.initTransactions();
            return client;
        } catch (RuntimeException e) {
            client.close(Duration.ZERO);
            return null;
        }
    }

    static Properties producerProps(String bootstrap, String transactionalId, long maxBlockMs) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 20_000);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 4000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        props.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 1000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlockMs);
        return props;
    }

    /** Stops the producers after their current transaction, then the reader. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        reader.close();
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
