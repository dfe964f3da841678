package dev.asyncrl.runtime.weights;

import dev.asyncrl.datastore.kafka.KafkaSettings;
import dev.asyncrl.datastore.kafka.TrajectoryLogEnd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's view of the run, on one thread: the trainer's announcements (read from the start of the
 * compacted weights topic, so a new worker learns the newest version at once) and the end of the
 * trajectory log (how many groups all workers have appended).
 */
public final class KafkaWeightFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaWeightFollower.class);

  private final KafkaConsumer<String, String> consumer;
  private final TrajectoryLogEnd logEnd;
  private final long historyEnd;

  public KafkaWeightFollower(KafkaSettings settings) {
    Properties p = settings.properties();
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // a fenced trainer's announcements never commit
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    TopicPartition weights = new TopicPartition(settings.weightsTopic(), 0);
    consumer.assign(List.of(weights));
    consumer.seekToBeginning(List.of(weights));
    historyEnd = consumer.endOffsets(List.of(weights)).get(weights);
    logEnd = new TrajectoryLogEnd(settings);
  }

  /**
   * Announcements that arrived within {@code timeout}, oldest first (malformed ones are logged and skipped).
   * A "done" written before this follower started belongs to an earlier trainer process (a finished run
   * being extended) and is reported as not done.
   */
  public List<WeightAnnouncement> poll(Duration timeout) {
    List<WeightAnnouncement> out = new ArrayList<>();
    for (ConsumerRecord<String, String> r : consumer.poll(timeout)) {
      if (r.value() == null) {
        continue; // a tombstone
      }
      try {
        WeightAnnouncement a = WeightAnnouncement.fromJson(r.value());
        if (a.done() && r.offset() < historyEnd) {
          a = a.withDone(false);
        }
        out.add(a);
      } catch (IllegalArgumentException e) {
        LOG.warn("skipped weights-topic record at offset {}: {}", r.offset(), e.getMessage());
      }
    }
    return out;
  }

  /** The end of the trajectory log (see {@link TrajectoryLogEnd}); thread-safe, unlike {@link #poll}. */
  public long logEnd() {
    return logEnd.read();
  }

  @Override
  public void close() {
    try {
      consumer.close();
    } finally {
      logEnd.close();
    }
  }
}
