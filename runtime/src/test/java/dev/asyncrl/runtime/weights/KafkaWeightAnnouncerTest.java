package dev.asyncrl.runtime.weights;

import dev.asyncrl.datastore.kafka.EmbeddedKafkaBroker;
import dev.asyncrl.datastore.kafka.KafkaSettings;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real broker: a second trainer's announcer fences the first out, and workers never see the fenced one. */
class KafkaWeightAnnouncerTest {

  @TempDir Path dir;

  static WeightAnnouncement version(long epoch, long version) {
    return new WeightAnnouncement(epoch, version, "/w/policy-v" + version + "-" + epoch, "00", 1, 0, 0, false);
  }

  @Test
  void aSecondTrainerFencesTheFirstAndFollowersSeeOnlyCommittedAnnouncements() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"))) {
      KafkaSettings settings = new KafkaSettings(broker.bootstrap(), "fence", 1, (short) 1, "lz4", Map.of());
      settings.ensureTopics();
      try (KafkaWeightAnnouncer first = new KafkaWeightAnnouncer(settings)) {
        first.announce(version(1, 0));
        first.announce(version(1, 1));
        try (KafkaWeightAnnouncer second = new KafkaWeightAnnouncer(settings)) {
          KafkaWeightAnnouncer.FencedException fenced = assertThrows(KafkaWeightAnnouncer.FencedException.class,
              () -> first.announce(version(1, 2)));
          assertTrue(fenced.getMessage().startsWith("another trainer of this run started (Kafka transactional id "
              + "'fence.trainer'"), fenced.getMessage());
          second.announce(version(2, 1));
          second.announce(version(2, 2));
        }
      }
      List<String> seen = new ArrayList<>();
      try (KafkaWeightFollower follower = new KafkaWeightFollower(settings)) {
        long deadline = System.currentTimeMillis() + 20_000;
        while (seen.size() < 4 && System.currentTimeMillis() < deadline) {
          follower.poll(Duration.ofMillis(200)).forEach(a -> seen.add(a.epoch() + ":" + a.version()));
        }
        follower.poll(Duration.ofMillis(500)).forEach(a -> seen.add(a.epoch() + ":" + a.version()));
      }
      assertEquals(List.of("1:0", "1:1", "2:1", "2:2"), seen, "epoch 1's version 2 was never committed");
    }
  }
}
