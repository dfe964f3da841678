package dev.asyncrl.datastore.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The {@code <topic>.dead-letter} topic: one copy of each record the trainer could not decode, with its
 * origin ({@value #SOURCE}: {@code topic-partition@offset}) and the decode error ({@value #ERROR}) in
 * headers.
 *
 * <p>A trainer that restarts from a checkpoint reads again the records after it, bad ones included. The
 * origins already on the topic are read once, on the first bad record, so each bad record is copied once
 * however often it is read.
 */
final class DeadLetterLog implements AutoCloseable {

  static final String SOURCE = "asyncrl.source";
  static final String ERROR = "asyncrl.error";

  private final KafkaSettings settings;
  private KafkaProducer<byte[], byte[]> producer;
  private Set<String> written;

  DeadLetterLog(KafkaSettings settings) {
    this.settings = settings;
  }

  /** Copies {@code r} with its origin and error, unless a copy of that origin is already there. */
  boolean write(ConsumerRecord<byte[], byte[]> r, String source, String error) {
    if (written == null) {
      written = new HashSet<>();
      readAll(settings).forEach(d -> written.add(header(d, SOURCE)));
      producer = new KafkaProducer<>(KafkaTrajectoryStore.producerProperties(settings), new ByteArraySerializer(),
          new ByteArraySerializer());
    }
    if (!written.add(source)) {
      return false;
    }
    ProducerRecord<byte[], byte[]> copy = new ProducerRecord<>(settings.deadLetterTopic(), r.key(), r.value());
    copy.headers().add(SOURCE, source.getBytes(StandardCharsets.UTF_8));
    copy.headers().add(ERROR, error.getBytes(StandardCharsets.UTF_8));
    producer.send(copy);
    return true;
  }

  /** Waits until every copy is acknowledged (before the trainer commits a position past the originals). */
  void flush() {
    if (producer != null) {
      producer.flush();
    }
  }

  /** Every dead letter on the topic, oldest first (read to the end offset it had when called). */
  static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaSettings settings) {
    var p = settings.properties();
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(settings.deadLetterTopic(), 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp), Duration.ofSeconds(60)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (c.position(tp) < end) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("cannot read Kafka topic '" + settings.deadLetterTopic() + "' at "
              + settings.bootstrap() + " to its end (offset " + end + ") within 60 s");
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  static String header(ConsumerRecord<?, ?> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (producer != null) {
      producer.close(KafkaSettings.CLOSE_TIMEOUT);
    }
  }
}
