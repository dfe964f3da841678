package dev.asyncrl.cli;

import dev.asyncrl.runtime.JobRunner;

import static org.junit.jupiter.api.Assertions.*;

import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.datastore.kafka.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One owner per run, with a broker that outlives the launcher: SIGKILL of {@code asyncrl launch} takes its
 * trainer and workers with it (no orphans), the same command run again resumes the run, a second trainer or
 * launcher of the same run folder is refused with the holder's name, and in the end every group was trained
 * at most once.
 */
class OneOwnerTest {

  @TempDir Path dir;

  static final int STEPS = 300;

  @Test
  void killingTheLauncherLeavesNoOrphansAndARelaunchTrainsNothingTwice() throws Exception {
    Path config = KafkaJobs.write(dir, "owner", 7, STEPS, 20, "");
    Path runDir = dir.resolve("run");
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"))) {
      String bootstrap = "datastore.bootstrap=" + broker.bootstrap();
      List<String> launch = List.of("launch", config.toString(), "--workers", "2", "--run-dir", runDir.toString(),
          "--set", bootstrap);
      Process first = start(launch, "first", output);
      Path metrics = runDir.resolve("metrics.jsonl");
      DistributedRunTest.await(() -> DistributedRunTest.lines(metrics) >= 25, "25 steps (a checkpoint at 20)", output);
      List<ProcessHandle> children = first.toHandle().children().toList();
      assertEquals(3, children.size(), () -> "trainer and 2 workers: " + children + "\n" + String.join("\n", output));

      first.destroyForcibly(); // SIGKILL: no shutdown hook runs, the supervisor cannot stop its children
      first.waitFor();
      long deadline = System.currentTimeMillis() + 5_000;
      while (children.stream().anyMatch(ProcessHandle::isAlive) && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(children.stream().noneMatch(ProcessHandle::isAlive),
          () -> "orphans survived their launcher: " + children.stream().filter(ProcessHandle::isAlive).toList());

      Process second = start(launch, "second", output);
      DistributedRunTest.await(() -> output.stream().anyMatch(l -> l.startsWith("[second] [trainer] resumed from")),
          "the relaunched trainer to resume", output);

      // While it runs, neither another launcher nor another trainer of the run may start.
      List<String> refused = Collections.synchronizedList(new ArrayList<>());
      Process third = start(launch, "third", refused);
      Process trainer = start(List.of("trainer", config.toString(), "--run-dir", runDir.toString(), "--set", bootstrap),
          "trainer", refused);
      assertTrue(third.waitFor(60, TimeUnit.SECONDS) && trainer.waitFor(60, TimeUnit.SECONDS));
      assertTrue(second.isAlive(), "the relaunched run must still be running for this check");
      assertEquals(2, third.exitValue(), () -> String.join("\n", refused));
      assertEquals(2, trainer.exitValue(), () -> String.join("\n", refused));
      assertTrue(refused.stream().anyMatch(l -> l.startsWith("[third] error: run folder " + runDir.toAbsolutePath()
          + " is in use by asyncrl launch pid " + second.pid())), () -> String.join("\n", refused));
      assertTrue(refused.stream().anyMatch(l -> l.startsWith("[trainer] error: run folder " + runDir
          + " is in use by asyncrl trainer pid ")), () -> String.join("\n", refused));

      assertTrue(second.waitFor(240, TimeUnit.SECONDS), () -> String.join("\n", output));
      assertEquals(0, second.exitValue(), () -> String.join("\n", output));
      JobConfig job = JobRunner.load(config, List.of(bootstrap));
      LedgerAudit.assertExactlyOnce(runDir, STEPS, 4, broker.bootstrap(), job.kafkaTopic());
    }
  }

  static Process start(List<String> args, String name, List<String> output) throws Exception {
    return KafkaJobs.start(List.of(), args, name, output).process();
  }
}
