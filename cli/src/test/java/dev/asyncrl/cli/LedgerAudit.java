package dev.asyncrl.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.datastore.TrajectoryCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Checks a finished distributed run's exactly-once record against the Kafka log: {@code groups.jsonl} and
 * {@code metrics.jsonl} hold steps 1..N once each, in order; no group id is trained twice or both trained and
 * dropped; and every group in the log before the final checkpoint's position is accounted for.
 */
final class LedgerAudit {
  private LedgerAudit() {}

  static void assertExactlyOnce(Path runDir, int steps, int groupsPerStep, String bootstrap, String topic)
      throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> ledger = new ArrayList<>();
    for (String line : Files.readAllLines(runDir.resolve("groups.jsonl"))) {
      ledger.add(json.readTree(line));
    }
    List<Integer> ledgerSteps = ledger.stream().map(l -> l.get("step").asInt()).toList();
    List<Integer> metricSteps = new ArrayList<>();
    for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
      metricSteps.add(json.readTree(line).get("step").asInt());
    }
    List<Integer> expectedSteps = java.util.stream.IntStream.rangeClosed(1, steps).boxed().toList();
    assertEquals(expectedSteps, ledgerSteps, "groups.jsonl: every step once, in order");
    assertEquals(expectedSteps, metricSteps, "metrics.jsonl: every step once, in order");
    List<Long> trained = ids(ledger, "trained");
    Set<Long> accounted = new HashSet<>(trained);
    assertEquals(trained.size(), accounted.size(), "no group trained twice");
    assertEquals(steps * groupsPerStep, trained.size());
    for (String kind : List.of("dropped", "filtered")) {
      for (Long id : ids(ledger, kind)) {
        assertTrue(accounted.add(id), "group " + id + " both trained and " + kind + ", or " + kind + " twice");
      }
    }
    JsonNode state = json.readTree(runDir.resolve("checkpoints/step-" + steps + "/state.json").toFile());
    long finalOffset = state.get("store_offsets").get("0").asLong();
    Map<Long, Long> offsetOf = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> r : readLog(bootstrap, topic)) {
      TrajectoryGroup g = TrajectoryCodec.decode(r.value());
      assertNull(offsetOf.put(g.groupId(), r.offset()), "group id " + g.groupId() + " appears twice in the log");
    }
    Set<Long> expected = new HashSet<>();
    offsetOf.forEach((id, offset) -> {
      if (offset < finalOffset) {
        expected.add(id);
      }
    });
    assertEquals(expected, accounted, "every produced group before the final position is trained exactly once or dropped");
  }

  static List<Long> ids(List<JsonNode> ledger, String kind) {
    List<Long> out = new ArrayList<>();
    for (JsonNode line : ledger) {
      line.path(kind).forEach(n -> out.add(n.asLong()));
    }
    return out;
  }

  static List<ConsumerRecord<byte[], byte[]>> readLog(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      while (c.position(tp) < end) {
        c.poll(Duration.ofMillis(500)).forEach(out::add);
      }
      return out;
    }
  }
}
