package dev.rebalancer.portfolio.messaging;

import dev.rebalancer.contracts.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The dead-letter topics, seen from one place: how many messages wait on each (the gauge
 * {@code rebalancer.dead_letters.waiting}, refreshed every 30 s and on every look), and their replay onto the topic
 * they came from once the cause is fixed. What waits is what lies past the replay group's committed position; a replay
 * sends those messages back, each with a {@code rebalancer-replayed-from} header, then commits past them. Consumers are
 * idempotent, so a message replayed twice (a crash between the sends and the commit) is applied once; one still
 * unreadable is dead-lettered again, with its alert.
 */
@ApplicationScoped
public class DeadLetters {

    /** The header a replayed message carries: where it was on its dead-letter topic. */
    public static final String REPLAYED_FROM = "rebalancer-replayed-from";

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    private static final String GROUP = "portfolio-service-dead-letter-replay";

    private final OutboxRelay relay;
    private final KafkaConsumer<String, String> consumer;
    private final Map<String, Long> waiting = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final List<Gauge> gauges = new java.util.ArrayList<>();

    DeadLetters(OutboxRelay relay, MeterRegistry registry, dev.rebalancer.runtime.KafkaClients kafka) {
        this.relay = relay;
        this.registry = registry;
        this.consumer = new KafkaConsumer<>(kafka.consumer("dead-letters", Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000)), new StringDeserializer(),
                new StringDeserializer());
        for (String topic : Topics.ALL) {
            String deadLetters = Topics.deadLetterOf(topic);
            waiting.put(deadLetters, 0L);
            gauges.add(Gauge.builder("rebalancer.dead_letters.waiting", waiting, w -> w.getOrDefault(deadLetters, 0L))
                    .tag("topic", deadLetters).description("Messages on the dead-letter topic not yet replayed")
                    .register(registry));
        }
    }

    /** Messages waiting on each dead-letter topic, by topic. */
    public synchronized Map<String, Long> waiting() {
        Map<String, List<TopicPartition>> byTopic = new LinkedHashMap<>();
        for (String topic : Topics.ALL) {
            byTopic.put(Topics.deadLetterOf(topic), partitions(Topics.deadLetterOf(topic)));
        }
        // Offsets of assigned partitions only: read_committed end offsets are tracked for those.
        consumer.assign(byTopic.values().stream().flatMap(List::stream).toList());
        Map<String, Long> now = new LinkedHashMap<>();
        for (Map.Entry<String, List<TopicPartition>> entry : byTopic.entrySet()) {
            String deadLetters = entry.getKey();
            List<TopicPartition> partitions = entry.getValue();
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
            long count = partitions.stream().mapToLong(p -> ends.getOrDefault(p, 0L)
                    - (committed.get(p) == null ? 0L : committed.get(p).offset())).sum();
            now.put(deadLetters, count);
        }
        waiting.putAll(now);
        return now;
    }

    /** Sends what waits on {@code topic}'s dead-letter topic back to {@code topic}; returns how many. */
    public synchronized int replay(String topic) {
        if (!Topics.ALL.contains(topic)) {
            throw new IllegalArgumentException("not a topic of this system: \"" + topic + "\" (one of "
                    + String.join(", ", Topics.ALL) + ")");
        }
        String deadLetters = Topics.deadLetterOf(topic);
        List<TopicPartition> partitions = partitions(deadLetters);
        consumer.assign(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata from = committed.get(partition);
            if (from == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, from.offset());
            }
        }
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Kafka did not hand over " + deadLetters + " within 30 s");
            }
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                    records.add(record);
                }
            }
        }
        try {
            for (ConsumerRecord<String, String> record : records) {
                RecordHeaders headers = new RecordHeaders();
                headers.add(REPLAYED_FROM, (record.topic() + "-" + record.partition() + "@" + record.offset())
                        .getBytes(StandardCharsets.UTF_8));
                relay.producer().send(new ProducerRecord<>(topic, null, record.key(), record.value(), headers))
                        .get(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while replaying " + deadLetters, e);
        } catch (Exception e) {
            throw new IllegalStateException("Kafka did not take a replayed message: " + e.getMessage(), e);
        }
        consumer.commitSync(ends.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> new OffsetAndMetadata(e.getValue()))));
        LOG.infof("replayed %d message(s) from %s onto %s", records.size(), deadLetters, topic);
        waiting();
        return records.size();
    }

    @Scheduled(every = "30s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            waiting();
        } catch (RuntimeException e) {
            LOG.debugf("dead-letter counts not refreshed: %s", e.getMessage());
        }
    }

    private List<TopicPartition> partitions(String topic) {
        return consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    synchronized void close(@Observes ShutdownEvent event) {
        // The registry may outlive this bean (a restarted application in the same JVM): a gauge left there would go
        // on reading this instance's counts, which nothing refreshes any more.
        gauges.forEach(registry::remove);
        consumer.close(Duration.ofSeconds(5));
    }
}
