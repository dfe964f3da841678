package dev.asyncrl.datastore.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Where a distributed run's Kafka topics live and how clients connect. One run uses three topics:
 * {@code <topic>} (trajectory groups), {@code <topic>.dead-letter} (records that could not be decoded) and
 * {@code <topic>.weights} (compacted: policy-version announcements).
 *
 * @param client extra Kafka client properties passed through unchanged (security: {@code security.protocol},
 *     {@code sasl.*}, {@code ssl.*}, ...); they override ours
 */
public record KafkaSettings(String bootstrap, String topic, int partitions, short replication, String compression,
    Map<String, String> client) {

  public KafkaSettings {
    client = Map.copyOf(client);
  }

  public String deadLetterTopic() {
    return topic + ".dead-letter";
  }

  public String weightsTopic() {
    return topic + ".weights";
  }

  /** Base client properties: bootstrap plus the pass-through ones. */
  public Properties properties() {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.putAll(client);
    return p;
  }

  /**
   * Fails within {@code timeout} when no broker answers at {@code bootstrap}, instead of the client's minutes of
   * retries.
   *
   * @throws IllegalStateException "cannot reach Kafka at host:port within N s"
   */
  public void checkReachable(Duration timeout) {
    Properties p = properties();
    int ms = (int) timeout.toMillis();
    p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ms));
    p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(ms));
    p.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, String.valueOf(Math.min(ms, 10_000)));
    try (Admin admin = Admin.create(p)) {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).nodes().get(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting to Kafka at " + bootstrap, e);
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("cannot reach Kafka at " + bootstrap + " within " + timeout.toSeconds() + " s ("
          + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")", cause);
    }
  }

  /** Creates the run's three topics when missing (idempotent; several processes may race to do it). */
  public void ensureTopics() {
    Properties p = properties();
    p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
    try (Admin admin = Admin.create(p)) {
      Map<String, String> compacted = new HashMap<>();
      compacted.put("cleanup.policy", "compact");
      compacted.put("min.cleanable.dirty.ratio", "0.1");
      compacted.put("segment.ms", "60000");
      List<NewTopic> wanted = List.of(
          new NewTopic(topic, partitions, replication),
          new NewTopic(deadLetterTopic(), 1, replication),
          new NewTopic(weightsTopic(), 1, replication).configs(compacted));
      for (NewTopic t : wanted) {
        try {
          admin.createTopics(List.of(t)).all().get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create Kafka topic '" + t.name() + "' at " + bootstrap + ": "
                + e.getCause().getMessage(), e.getCause());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating Kafka topics", e);
    }
  }

  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
}
