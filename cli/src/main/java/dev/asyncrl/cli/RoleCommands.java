package dev.asyncrl.cli;

import dev.asyncrl.experiments.MetricsPlot;
import dev.asyncrl.runtime.DistributedRun;
import dev.asyncrl.runtime.ProgressLine;
import dev.asyncrl.runtime.RunFolder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.metrics.JsonlMetricsSink;
import dev.asyncrl.trainer.StepReport;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

/** The two process roles of a distributed job, for {@code asyncrl launch} or any scheduler. */
final class RoleCommands {
  private RoleCommands() {}

  /** The run folder of a distributed job: stable (no timestamp), so a restarted trainer finds its checkpoints. */
  static Path defaultRunDir(JobConfig job) {
    return job.outputDir().resolve(job.name());
  }

  @Command(name = "trainer", description = "Run the trainer of a job with datastore.type: kafka (one process); "
      + "resumes from the newest checkpoint in the run folder.")
  static final class TrainerRole implements Callable<Integer> {

    @Mixin
    JobArguments arguments = new JobArguments();

    @Option(names = "--run-dir", paramLabel = "DIR", description = "run folder (default <output_dir>/<name>)")
    Path runDir;

    @Override
    public Integer call() throws Exception {
      JobConfig job = arguments.load();
      Path dir = runDir != null ? runDir : defaultRunDir(job);
      RunFolder run = new RunFolder(dir);
      ProgressLine progress = new ProgressLine(System.out, job.trainer().steps(), false);
      if (job.trainer().checkpointEvery() == 0) {
        System.out.println("warning: trainer.checkpoint_every is 0, so a restarted trainer starts over from step 0");
      }
      JsonlMetricsSink[] metrics = new JsonlMetricsSink[1];
      GroupLedger[] ledger = new GroupLedger[1];
      try {
        DistributedRun.trainer(job, dir, resumedStep -> {
          writeConfig(run, job);
          // Steps after the checkpoint are redone: the logs keep each step once.
          JsonlMetricsSink.truncateAfter(run.metrics(), resumedStep);
          JsonlMetricsSink.truncateAfter(GroupLedger.file(dir), resumedStep);
          metrics[0] = new JsonlMetricsSink(run.metrics(), true);
          ledger[0] = new GroupLedger(GroupLedger.file(dir));
        }, report -> {
          metrics[0].record(report.step(), report.metrics());
          ledger[0].record(report);
          progress.update(report);
        }, System.out::println);
      } finally {
        if (metrics[0] != null) {
          metrics[0].close();
          ledger[0].close();
        }
      }
      MetricsPlot.renderIfPossible(run.metrics(), run.plot(), job.name() + " (distributed, max_staleness "
          + job.maxStaleness() + ")", System.err::println);
      System.out.println("done: metrics " + run.metrics() + ", plot " + run.plot() + ", checkpoints " + run.checkpoints());
      return 0;
    }
  }

  /** The resolved configuration, saved by the trainer once it holds the run folder. */
  static void writeConfig(RunFolder run, JobConfig job) {
    try {
      Files.writeString(run.config(), job.resolvedYaml());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + run.config() + ": " + e.getMessage(), e);
    }
  }

  @Command(name = "rollout-worker", description = "Run one rollout-worker process of a job with datastore.type: kafka "
      + "(rollout.workers threads); stops when the trainer finishes.")
  static final class WorkerRole implements Callable<Integer> {

    @Mixin
    JobArguments arguments = new JobArguments();

    @Option(names = "--process", paramLabel = "I", description = "index of this worker process, 0.. (default 0); "
        + "worker ids are I × rollout.workers + j")
    int process;

    @Option(names = "--processes", paramLabel = "P", description = "how many rollout-worker processes the job runs "
        + "(default 1); each admits its share of the free slots so that together they respect max_staleness")
    int processes = 1;

    @Override
    public Integer call() throws Exception {
      JobConfig job = arguments.load();
      DistributedRun.workers(job, process, processes, System.out::println);
      return 0;
    }
  }

  /**
   * {@code groups.jsonl} in the run folder: per step, the group ids trained, dropped as stale and filtered.
   * With the checkpoint-bound store position this is the exactly-once record of a run.
   */
  static final class GroupLedger implements AutoCloseable {
    private final ObjectMapper json = new ObjectMapper();
    private final BufferedWriter out;

    static Path file(Path runDir) {
      return runDir.resolve("groups.jsonl");
    }

    GroupLedger(Path file) {
      try {
        out = Files.newBufferedWriter(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }

    void record(StepReport r) {
      ObjectNode line = json.createObjectNode();
      line.put("step", r.step());
      line.put("version", r.version());
      r.trainedGroups().forEach(line.putArray("trained")::add);
      r.droppedGroups().forEach(line.putArray("dropped")::add);
      r.filteredGroups().forEach(line.putArray("filtered")::add);
      try {
        out.write(json.writeValueAsString(line));
        out.newLine();
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append to groups.jsonl", e);
      }
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
