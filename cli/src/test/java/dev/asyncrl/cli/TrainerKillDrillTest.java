package dev.asyncrl.cli;

import dev.asyncrl.runtime.FaultDrill;
import dev.asyncrl.runtime.JobRunner;

import static org.junit.jupiter.api.Assertions.*;

import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.datastore.kafka.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer process is halted (as abruptly as SIGKILL) at each instant around a checkpoint, and resumed
 * each time: after the step's lines were written but before its checkpoint, with the checkpoint's files
 * written but not renamed into place, with the checkpoint in place but the store position not committed
 * (the gap that used to lose the step's ledger lines), and right after the commit. The rollout workers run
 * throughout. Every step must appear once in the ledger and the metrics, and every group in the log must be
 * trained exactly once or dropped.
 */
class TrainerKillDrillTest {

  @TempDir Path dir;

  static final int STEPS = 18;
  static final List<String> KILLS = List.of("recorded:4", "recorded:6", "checkpoint_written:9", "checkpointed:12",
      "committed:15");

  @Test
  void everyStepAndGroupIsRecordedExactlyOnceWhateverInstantTheTrainerDiesAt() throws Exception {
    Path config = KafkaJobs.write(dir, "drill", 5, STEPS, 3, "");
    Path runDir = dir.resolve("run");
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"))) {
      String bootstrap = "datastore.bootstrap=" + broker.bootstrap();
      JobConfig job = JobRunner.load(config, List.of(bootstrap));
      AtomicReference<Throwable> workerError = new AtomicReference<>();
      Thread workers = new Thread(() -> {
        try {
          JobRunner.workers(job, 0, 1, line -> output.add("[worker] " + line));
        } catch (Throwable e) {
          workerError.set(e);
        }
      });
      workers.setDaemon(true);
      workers.start();
      for (String kill : KILLS) {
        int exit = runTrainer(config, bootstrap, runDir, kill, output);
        assertEquals(137, exit, () -> "trainer should have halted at " + kill + "\n" + String.join("\n", output));
        assertTrue(output.contains("[trainer] fault drill: halting at " + kill.split(":")[0] + " of step " + kill.split(":")[1]),
            () -> String.join("\n", output));
      }
      assertEquals(0, runTrainer(config, bootstrap, runDir, null, output), () -> String.join("\n", output));
      workers.join(60_000);
      assertNull(workerError.get(), () -> "workers failed: " + workerError.get());
      // Each resume started from the newest checkpoint at the time of the kill.
      for (String resumed : List.of("step 3", "step 3", "step 6", "step 12", "step 15")) {
        assertTrue(output.stream().anyMatch(l -> l.startsWith("[trainer] resumed from") && l.contains(resumed)),
            () -> "no resume from " + resumed + "\n" + String.join("\n", output));
      }
      LedgerAudit.assertExactlyOnce(runDir, STEPS, 4, broker.bootstrap(), job.kafkaTopic());
    }
  }

  /** Runs {@code asyncrl trainer} in its own JVM until it exits; {@code kill} = INSTANT:STEP or null. */
  static int runTrainer(Path config, String bootstrap, Path runDir, String kill, List<String> output) throws Exception {
    KafkaJobs.Running trainer = KafkaJobs.start(kill == null ? List.of() : List.of("-D" + FaultDrill.PROPERTY + "=" + kill),
        List.of("trainer", config.toString(), "--set", bootstrap, "--run-dir", runDir.toString()), "trainer", output);
    Process p = trainer.process();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("trainer did not finish\n" + String.join("\n", output));
    }
    trainer.output().join(10_000); // every line read before the caller looks at the output
    return p.exitValue();
  }
}
