package dev.asyncrl.datastore.kafka;

import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.datastore.StorePosition;
import dev.asyncrl.datastore.TrajectoryCodec;
import dev.asyncrl.datastore.TrajectoryFormatException;
import dev.asyncrl.datastore.TrajectoryStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable trajectory log: groups are records on a Kafka topic, keyed by group id, encoded with
 * {@link TrajectoryCodec}.
 *
 * <p><b>Producing</b> (rollout workers): an idempotent producer with {@code acks=all} and compression, so
 * a retried send (a broker restart, a lost connection) is written once. {@link #append} returns once the
 * record is handed to the producer; a failed send is reported by the next {@code append} or {@link #flush}.
 *
 * <p><b>Consuming</b> (the trainer): the store assigns itself every partition and tracks, per partition,
 * the offset after the last record it handed out or skipped ({@link #position}). The position is committed
 * to the consumer group {@code <topic>.trainer} only by {@link #commit}, which the trainer calls together
 * with a checkpoint; on restart the checkpoint's position is given to {@link #seek}, so nothing trained is
 * read twice and nothing handed out after the checkpoint is lost. Without a checkpoint the store starts at
 * the group's committed offsets, or at the beginning of the log.
 *
 * <p>A record that cannot be decoded is counted, logged with its partition and offset, copied (key,
 * value and the error in headers) to {@code <topic>.dead-letter} once even when a restarted trainer reads it
 * again ({@link DeadLetterLog}), and skipped.
 */
public final class KafkaTrajectoryStore implements TrajectoryStore {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaTrajectoryStore.class);

  private final KafkaSettings settings;
  private KafkaProducer<Long, byte[]> producer;
  private final DeadLetterLog deadLetters;
  private KafkaConsumer<byte[], byte[]> consumer;
  private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
  private final ArrayDeque<ConsumerRecord<byte[], byte[]>> fetched = new ArrayDeque<>();
  private final Map<Integer, Long> next = new HashMap<>();
  private final AtomicLong consumed = new AtomicLong();
  private long skipped;
  private List<TopicPartition> partitions;

  public KafkaTrajectoryStore(KafkaSettings settings) {
    this.settings = settings;
    this.deadLetters = new DeadLetterLog(settings);
  }

  // ---------------------------------------------------------------- producing

  @Override
  public void append(TrajectoryGroup group) {
    throwIfSendFailed();
    producer().send(new ProducerRecord<>(settings.topic(), group.groupId(), TrajectoryCodec.encode(group)),
        (metadata, error) -> {
          if (error != null) {
            sendFailure.compareAndSet(null, error);
          }
        });
  }

  /** Waits until every appended group is acknowledged by the broker; throws if any send failed. */
  @Override
  public void flush() {
    if (producer != null) {
      producer.flush();
    }
    throwIfSendFailed();
  }

  private void throwIfSendFailed() {
    Exception e = sendFailure.get();
    if (e != null) {
      throw new IllegalStateException("writing to Kafka topic '" + settings.topic() + "' at " + settings.bootstrap()
          + " failed: " + e.getMessage(), e);
    }
  }

  private synchronized KafkaProducer<Long, byte[]> producer() {
    if (producer == null) {
      Properties p = producerProperties(settings);
      producer = new KafkaProducer<>(p, new LongSerializer(), new ByteArraySerializer());
    }
    return producer;
  }

  public static Properties producerProperties(KafkaSettings settings) {
    Properties p = new Properties();
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compression());
    p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 * 1024 * 1024));
    p.putAll(settings.properties());
    return p;
  }

  // ---------------------------------------------------------------- consuming

  @Override
  public TrajectoryGroup poll(Duration timeout) {
    KafkaConsumer<byte[], byte[]> c = consumer();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      while (!fetched.isEmpty()) {
        ConsumerRecord<byte[], byte[]> r = fetched.removeFirst();
        next.put(r.partition(), r.offset() + 1);
        try {
          TrajectoryGroup g = TrajectoryCodec.decode(r.value());
          consumed.incrementAndGet();
          return g;
        } catch (TrajectoryFormatException e) {
          deadLetter(r, e);
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      c.poll(Duration.ofNanos(left)).forEach(fetched::addLast);
      if (fetched.isEmpty()) {
        return null;
      }
    }
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> r, TrajectoryFormatException e) {
    skipped++;
    String where = r.topic() + "-" + r.partition() + "@" + r.offset();
    boolean copied = deadLetters.write(r, where, e.getMessage());
    LOG.warn("skipped undecodable record {} ({} so far): {}; {} {}", where, skipped, e.getMessage(),
        copied ? "copied to" : "already in", settings.deadLetterTopic());
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    if (consumer == null) {
      Properties p = new Properties();
      p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.topic() + ".trainer");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
      p.putAll(settings.properties());
      consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      partitions = consumer.partitionsFor(settings.topic(), Duration.ofSeconds(60)).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      if (partitions.isEmpty()) {
        throw new IllegalStateException("Kafka topic '" + settings.topic() + "' at " + settings.bootstrap() + " does not exist");
      }
      consumer.assign(partitions);
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions),
          Duration.ofSeconds(60));
      Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions, Duration.ofSeconds(60));
      for (TopicPartition tp : partitions) {
        OffsetAndMetadata o = committed.get(tp);
        long start = o != null ? o.offset() : beginning.get(tp);
        consumer.seek(tp, start);
        next.put(tp.partition(), start);
      }
    }
    return consumer;
  }

  @Override
  public long consumed() {
    return consumed.get();
  }

  @Override
  public StorePosition position() {
    consumer();
    return new StorePosition(next, consumed.get(), skipped);
  }

  @Override
  public void seek(StorePosition position) {
    KafkaConsumer<byte[], byte[]> c = consumer();
    fetched.clear();
    next.clear();
    for (TopicPartition tp : partitions) {
      Long offset = position.offsets().get(tp.partition());
      if (offset == null) {
        offset = c.beginningOffsets(List.of(tp)).get(tp);
      }
      c.seek(tp, offset);
      next.put(tp.partition(), offset);
    }
    consumed.set(position.consumed());
    skipped = position.skipped();
  }

  @Override
  public void commit(StorePosition position) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    position.offsets().forEach((p, o) -> offsets.put(new TopicPartition(settings.topic(), p), new OffsetAndMetadata(o)));
    if (!offsets.isEmpty()) {
      deadLetters.flush(); // the copies of skipped records are durable before the position moves past them
      consumer().commitSync(offsets);
    }
  }

  /** Records on the log after the consumer's position (fetched or not). */
  @Override
  public int buffered() {
    if (consumer == null) {
      return 0;
    }
    long lag = fetched.size();
    for (TopicPartition tp : partitions) {
      lag += consumer.currentLag(tp).orElse(0);
    }
    return (int) Math.min(Integer.MAX_VALUE, lag);
  }

  @Override
  public void close() {
    try {
      if (producer != null) {
        producer.close(KafkaSettings.CLOSE_TIMEOUT);
      }
      deadLetters.close();
    } finally {
      if (consumer != null) {
        consumer.close();
      }
    }
  }
}
