package dev.rebalancer.testing.infra;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/** Reads a topic of the real broker from its beginning, as a test's independent witness of what was published. */
public final class TopicProbe implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final List<ConsumerRecord<String, String>> seen = new ArrayList<>();

    public TopicProbe(String bootstrapServers, String topic) {
        Map<String, Object> config = new java.util.HashMap<>(KafkaBroker.clientConfig());
        config.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "probe-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // What a consumer of these topics sees: records of exactly-once producers once committed, never aborted.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> !consumer.partitionsFor(topic, Duration.ofSeconds(5)).isEmpty());
        consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Every record read so far that matches, after reading what has arrived. */
    public List<ConsumerRecord<String, String>> records(Predicate<ConsumerRecord<String, String>> matching) {
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        return seen.stream().filter(matching).toList();
    }

    /** Every matching record the topic holds right now: reads until the end offsets taken at the call. */
    public List<ConsumerRecord<String, String>> readToEnd(Predicate<ConsumerRecord<String, String>> matching) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
        });
        return seen.stream().filter(matching).toList();
    }

    /** Waits until at least {@code count} matching records have arrived, and returns all matching. */
    public List<ConsumerRecord<String, String>> await(Predicate<ConsumerRecord<String, String>> matching, int count) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> records(matching).size() >= count);
        return records(matching);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
