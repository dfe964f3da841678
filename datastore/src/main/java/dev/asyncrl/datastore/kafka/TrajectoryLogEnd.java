package dev.asyncrl.datastore.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The end of a run's trajectory topic: Σ end offsets of its partitions, that is every group appended and
 * acknowledged so far. New group ids start after it, so a restarted worker never repeats one. Reads are admin
 * requests and thread-safe.
 */
public final class TrajectoryLogEnd implements AutoCloseable {

  private static final long DESCRIBE_TIMEOUT_S = 60;
  private static final long READ_TIMEOUT_S = 30;

  private final String topic;
  private final Admin admin;
  private final Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();

  /** Opens an admin client; the topic must exist ({@link KafkaSettings#ensureTopics}). */
  public TrajectoryLogEnd(KafkaSettings settings) {
    this.topic = settings.topic();
    this.admin = Admin.create(settings.properties());
    try {
      admin.describeTopics(List.of(topic)).allTopicNames().get(DESCRIBE_TIMEOUT_S, TimeUnit.SECONDS).get(topic).partitions()
          .forEach(p -> partitions.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
    } catch (InterruptedException e) {
      admin.close(KafkaSettings.CLOSE_TIMEOUT);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing topic '" + topic + "'", e);
    } catch (ExecutionException | TimeoutException e) {
      admin.close(KafkaSettings.CLOSE_TIMEOUT);
      throw new IllegalStateException("cannot describe topic '" + topic + "' at " + settings.bootstrap() + ": "
          + e.getMessage(), e);
    }
  }

  /** Reads it once: one request to the brokers. */
  public long read() {
    try {
      return admin.listOffsets(partitions).all().get(READ_TIMEOUT_S, TimeUnit.SECONDS).values().stream()
          .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the end of topic '" + topic + "'", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the end of topic '" + topic + "': " + e.getMessage(), e);
    }
  }

  /** Opens, reads once and closes. */
  public static long of(KafkaSettings settings) {
    try (TrajectoryLogEnd end = new TrajectoryLogEnd(settings)) {
      return end.read();
    }
  }

  @Override
  public void close() {
    admin.close(KafkaSettings.CLOSE_TIMEOUT);
  }
}
