package dev.asyncrl.cli;

import dev.asyncrl.runtime.JobRunner;
import dev.asyncrl.runtime.Supervisor;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.datastore.kafka.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real distributed run: an embedded broker, and the trainer and two rollout workers as separate JVMs under
 * the launcher's supervisor. Mid-run a worker is SIGKILLed, then the trainer, then the broker is restarted;
 * the run must finish and every group in the log must be trained exactly once, dropped, filtered, or still
 * unread after the last checkpoint.
 */
class DistributedRunTest {

  @TempDir Path dir;

  static final int STEPS = 60;

  @Test
  void survivesAKilledWorkerAKilledTrainerAndABrokerRestartTrainingEveryGroupExactlyOnce() throws Exception {
    Path config = KafkaJobs.write(dir, "dist", 3, STEPS, 5, ", partial: true");
    Path runDir = dir.resolve("run");
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"))) {
      LaunchCommand launch = new LaunchCommand();
      launch.arguments.config = config;
      launch.workers = 2;
      launch.run.runDir = runDir;
      launch.maxRestarts = 3;
      List<String> sets = List.of("datastore.bootstrap=" + broker.bootstrap());
      JobConfig job = JobRunner.load(config, sets);
      AtomicReference<Supervisor> supervisor = new AtomicReference<>();
      AtomicInteger exit = new AtomicInteger(-1);
      AtomicReference<Throwable> error = new AtomicReference<>();
      Thread launcher = new Thread(() -> {
        try {
          exit.set(launch.launchHere(job, sets, output::add, supervisor::set));
        } catch (Throwable e) {
          error.set(e);
        }
      });
      launcher.start();
      Path metrics = runDir.resolve("metrics.jsonl");
      await(() -> lines(metrics) >= 12, "12 steps", output);
      supervisor.get().process("worker-0").destroyForcibly(); // SIGKILL
      await(() -> lines(metrics) >= 22, "22 steps", output);
      supervisor.get().process("trainer").destroyForcibly();
      await(() -> output.stream().anyMatch(l -> l.startsWith("[trainer] resumed from")), "the trainer to resume", output);
      await(() -> lines(metrics) >= 35, "35 steps", output);
      broker.restart();
      launcher.join(240_000);
      assertNull(error.get(), () -> "launch failed: " + error.get() + "\n" + String.join("\n", output));
      assertEquals(0, exit.get(), () -> String.join("\n", output));
      assertTrue(supervisor.get().restartCount("worker-0") >= 1);
      assertEquals(1, supervisor.get().restartCount("trainer"));
      assertTrue(output.stream().anyMatch(l -> l.startsWith("[trainer] resumed from") && l.contains("step 20")),
          () -> String.join("\n", output));

      LedgerAudit.assertExactlyOnce(runDir, STEPS, 4, broker.bootstrap(), job.kafkaTopic());
      // Partial rollouts over Kafka: staleness, counted from each response's oldest token, stays within the bound.
      for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
        assertTrue(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("staleness/max").asDouble() <= 2,
            line);
      }
    }
  }

  static long lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).count() : 0;
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  static void await(BooleanSupplier condition, String what, List<String> output) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 180_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        fail("timed out waiting for " + what + "\n" + String.join("\n", output));
      }
      Thread.sleep(100);
    }
  }
}
