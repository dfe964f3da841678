package dev.asyncrl.datastore.kafka;

import static org.junit.jupiter.api.Assertions.*;

import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.datastore.StorePosition;
import dev.asyncrl.datastore.TrajectoryCodec;
import dev.asyncrl.datastore.TrajectoryCodecTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real single-node KRaft broker running in this JVM. */
class KafkaTrajectoryStoreTest {

  @TempDir static Path dir;
  static EmbeddedKafkaBroker broker;
  static final AtomicInteger topics = new AtomicInteger();

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"));
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  static KafkaSettings freshTopic(int partitions) {
    KafkaSettings s = new KafkaSettings(broker.bootstrap(), "test-" + topics.incrementAndGet(), partitions, (short) 1,
        "lz4", Map.of());
    s.ensureTopics();
    return s;
  }

  static List<Long> drain(KafkaTrajectoryStore store) {
    List<Long> ids = new ArrayList<>();
    for (TrajectoryGroup g; (g = store.poll(Duration.ofSeconds(2))) != null; ) {
      ids.add(g.groupId());
    }
    return ids;
  }

  @Test
  void aRestartedConsumerResumesExactlyAfterItsSavedPosition() {
    KafkaSettings s = freshTopic(3);
    try (KafkaTrajectoryStore producer = new KafkaTrajectoryStore(s)) {
      for (long id = 0; id < 100; id++) {
        producer.append(TrajectoryCodecTest.randomGroup(id, 2, 4, id));
      }
      producer.flush();
    }
    List<Long> first = new ArrayList<>();
    StorePosition saved;
    try (KafkaTrajectoryStore trainer = new KafkaTrajectoryStore(s)) {
      for (int i = 0; i < 40; i++) {
        first.add(trainer.poll(Duration.ofSeconds(10)).groupId());
      }
      saved = trainer.position();
      trainer.commit(saved);
      assertEquals(40, saved.consumed());
      assertEquals(40, saved.offsets().values().stream().mapToLong(Long::longValue).sum());
      for (int i = 0; i < 10; i++) { // read after the checkpoint, then "crash": these must come back
        assertNotNull(trainer.poll(Duration.ofSeconds(10)));
      }
    }
    try (KafkaTrajectoryStore resumed = new KafkaTrajectoryStore(s)) {
      resumed.seek(saved);
      List<Long> rest = drain(resumed);
      assertEquals(60, rest.size());
      Set<Long> all = new HashSet<>(first);
      all.addAll(rest);
      assertEquals(100, all.size(), "every group exactly once");
      assertEquals(100, resumed.position().consumed());
    }
    try (KafkaTrajectoryStore fromCommit = new KafkaTrajectoryStore(s)) {
      assertEquals(60, drain(fromCommit).size(), "without a checkpoint the committed offsets are used");
    }
  }

  @Test
  void corruptAndForeignRecordsAreSkippedCountedAndDeadLettered() throws Exception {
    KafkaSettings s = freshTopic(1);
    byte[] corrupt = TrajectoryCodec.encode(TrajectoryCodecTest.randomGroup(2, 2, 4, 2));
    corrupt[30] ^= 0x10;
    byte[] foreign = "{\"prompt\": \"hello\"}".getBytes(StandardCharsets.UTF_8);
    Properties p = KafkaTrajectoryStore.producerProperties(s);
    try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      raw.send(new ProducerRecord<>(s.topic(), TrajectoryCodec.encode(TrajectoryCodecTest.randomGroup(1, 2, 4, 1)))).get();
      raw.send(new ProducerRecord<>(s.topic(), corrupt)).get();
      raw.send(new ProducerRecord<>(s.topic(), foreign)).get();
      raw.send(new ProducerRecord<>(s.topic(), TrajectoryCodec.encode(TrajectoryCodecTest.randomGroup(3, 2, 4, 3)))).get();
    }
    try (KafkaTrajectoryStore trainer = new KafkaTrajectoryStore(s)) {
      assertEquals(List.of(1L, 3L), drain(trainer));
      StorePosition at = trainer.position();
      assertEquals(2, at.skipped());
      assertEquals(2, at.consumed());
      assertEquals(Map.of(0, 4L), at.offsets(), "skipped records are behind the position too");
      assertEquals(0, at.base());
    }
    try (KafkaTrajectoryStore restarted = new KafkaTrajectoryStore(s)) { // nothing committed: reads them again
      assertEquals(List.of(1L, 3L), drain(restarted));
      assertEquals(2, restarted.position().skipped());
    }
    List<ConsumerRecord<byte[], byte[]>> dead = DeadLetterLog.readAll(s);
    assertEquals(2, dead.size(), "each bad record is dead-lettered once, however often it is read");
    assertArrayEquals(corrupt, dead.get(0).value());
    assertArrayEquals(foreign, dead.get(1).value());
    assertEquals(s.topic() + "-0@1", DeadLetterLog.header(dead.get(0), DeadLetterLog.SOURCE));
    assertTrue(DeadLetterLog.header(dead.get(0), DeadLetterLog.ERROR).contains("corrupt"), DeadLetterLog.header(dead.get(0), DeadLetterLog.ERROR));
    assertTrue(DeadLetterLog.header(dead.get(1), DeadLetterLog.ERROR).startsWith("not an asyncrl trajectory record"));
  }

  @Test
  void aBrokerRestartWhileProducingLosesAndRepeatsNothing() throws Exception {
    KafkaSettings s = freshTopic(2);
    try (KafkaTrajectoryStore producer = new KafkaTrajectoryStore(s)) {
      for (long id = 0; id < 50; id++) {
        producer.append(TrajectoryCodecTest.randomGroup(id, 2, 4, id));
      }
      producer.flush();
      Thread restart = new Thread(broker::restart);
      restart.start();
      for (long id = 50; id < 150; id++) { // sends during and after the restart are retried, once each
        producer.append(TrajectoryCodecTest.randomGroup(id, 2, 4, id));
        Thread.sleep(5);
      }
      restart.join();
      producer.flush();
    }
    try (KafkaTrajectoryStore trainer = new KafkaTrajectoryStore(s)) {
      List<Long> ids = drain(trainer);
      assertEquals(150, ids.size(), "no group lost or duplicated");
      assertEquals(150, new HashSet<>(ids).size());
    }
  }
}
