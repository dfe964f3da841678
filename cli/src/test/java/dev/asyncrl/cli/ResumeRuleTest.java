package dev.asyncrl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.datastore.kafka.EmbeddedKafkaBroker;
import dev.asyncrl.datastore.kafka.TrajectoryLogEnd;
import dev.asyncrl.runtime.JobRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One rule for every command that trains: running a job again resumes its run folder, a finished run is reported
 * as complete and left alone, {@code --fresh} starts over; and the store is the one {@code datastore.type} names.
 * {@code train} and {@code launch} both go through the same runner.
 */
class ResumeRuleTest {

  @TempDir Path dir;

  /** The steps recorded in {@code metrics.jsonl}, in file order. */
  static List<Integer> steps(Path runDir) throws Exception {
    List<Integer> steps = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
      if (!line.isBlank()) {
        steps.add(json.readTree(line).get("step").asInt());
      }
    }
    return steps;
  }

  static List<Integer> range(int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }

  @Test
  void trainResumesRefusesAFinishedRunPolitelyAndStartsFreshOnRequest() throws Exception {
    Path config = KafkaJobs.write(dir, "rule", 1, 4, 2, "");
    Path runDir = dir.resolve("runs/rule");
    String memory = "datastore.type=memory";

    Console.Outcome first = Console.asyncrl("train", config.toString(), "--set", memory);
    assertEquals(0, first.code(), first.err());
    assertEquals(range(1, 4), steps(runDir));
    assertTrue(Files.readString(runDir.resolve("config.yaml")).startsWith("# written by asyncrl "),
        "the run records the code that made it");

    Console.Outcome again = Console.asyncrl("train", config.toString(), "--set", memory);
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("is already complete (step 4 of 4)"), again.out());
    assertEquals(range(1, 4), steps(runDir), "a finished run is left alone");

    Console.Outcome longer = Console.asyncrl("train", config.toString(), "--set", memory, "--set",
        "trainer.steps=7");
    assertEquals(0, longer.code(), longer.err());
    assertTrue(longer.out().contains("resumed from " + runDir.resolve("checkpoints/step-4") + ": step 4"), longer.out());
    assertEquals(range(1, 7), steps(runDir), "each step once, across the resume");
    assertTrue(Files.exists(runDir.resolve("checkpoints/step-7/manifest.json")));

    Console.Outcome fresh = Console.asyncrl("train", config.toString(), "--set", memory, "--fresh");
    assertEquals(0, fresh.code(), fresh.err());
    assertFalse(fresh.out().contains("resumed from"), fresh.out());
    assertEquals(range(1, 4), steps(runDir), "--fresh starts over");
    assertFalse(Files.exists(runDir.resolve("checkpoints/step-7")), "--fresh removed the old run");

    Console.Outcome dry = Console.asyncrl("train", config.toString(), "--set", memory, "--dry-run");
    assertEquals(0, dry.code(), dry.err());
    assertTrue(dry.out().contains("type: memory") && dry.out().contains("resumes at step 4 of 4")
        && dry.out().contains("every check passed"), dry.out());
  }

  @Test
  void trainAndLaunchUseTheStoreTheConfigNamesAndShareTheRule() throws Exception {
    Path config = KafkaJobs.write(dir, "kafkarule", 2, 3, 0, "");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"))) {
      String bootstrap = "datastore.bootstrap=" + broker.bootstrap();
      JobConfig job = JobRunner.load(config, List.of(bootstrap));

      // train with datastore.type: kafka: the groups go through the topic (workers are threads of this process).
      Console.Outcome train = Console.asyncrl("train", config.toString(), "--set", bootstrap, "--run-dir",
          dir.resolve("train-run").toString());
      assertEquals(0, train.code(), train.err());
      long appended = TrajectoryLogEnd.of(JobRunner.kafka(job));
      assertTrue(appended >= 3 * 4, "at least the trained groups are in the topic, got " + appended);
      assertEquals(range(1, 3), steps(dir.resolve("train-run")));

      // launch: separate processes; then a second launch of the finished run does nothing.
      Path launchRun = dir.resolve("launch-run");
      String topic = "datastore.topic=launch-rule";
      Console.Outcome launch = Console.asyncrl("launch", config.toString(), "--set", bootstrap, "--set", topic,
          "--workers", "1", "--run-dir", launchRun.toString());
      assertEquals(0, launch.code(), launch.out() + launch.err());
      assertEquals(range(1, 3), steps(launchRun));
      Console.Outcome relaunch = Console.asyncrl("launch", config.toString(), "--set", bootstrap, "--set", topic,
          "--workers", "1", "--run-dir", launchRun.toString());
      assertEquals(0, relaunch.code(), relaunch.err());
      assertTrue(relaunch.out().contains("is already complete (step 3 of 3)"), relaunch.out());
    }
  }
}
