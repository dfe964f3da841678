package dev.asyncrl.cli;

import dev.asyncrl.experiments.MetricsPlot;
import dev.asyncrl.runtime.JobModel;
import dev.asyncrl.runtime.LocalRun;
import dev.asyncrl.runtime.ProgressLine;
import dev.asyncrl.runtime.RunFolder;

import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.metrics.JsonlMetricsSink;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code asyncrl train <config.yaml> [--set path=value ...]}. */
@Command(name = "train", description = "Train a job from a YAML file on this machine.")
final class TrainCommand implements Callable<Integer> {

  @Mixin
  JobArguments job = new JobArguments();

  @Override
  public Integer call() throws Exception {
    JobConfig job = this.job.load();
    // Everything that can be checked is checked before the run folder exists, so a bad job leaves nothing behind.
    RunFolder.checkOutputDir(job);
    try (JobModel model = JobModel.of(job)) {
      LocalRun.checkDevices(job);
      return train(job, model);
    }
  }

  private Integer train(JobConfig job, JobModel model) throws Exception {
    RunFolder run = RunFolder.create(job.outputDir(), job.name());
    Files.writeString(run.config(), job.resolvedYaml());
    System.out.println("run folder: " + run.dir());
    ProgressLine progress = new ProgressLine(System.out, job.trainer().steps(), System.console() != null);
    double[] last = new double[2];
    int[] steps = new int[1];
    try (JsonlMetricsSink metrics = new JsonlMetricsSink(run.metrics())) {
      LocalRun.train(job, model, run.checkpoints(), report -> {
        metrics.record(report.step(), report.metrics());
        progress.update(report);
        last[0] = report.metrics().get("rollout/reward_mean");
        last[1] = report.metrics().get("time/elapsed_s");
        steps[0] = report.step();
      }, System.out::println);
    } catch (Exception | Error e) {
      if (steps[0] == 0) {
        run.delete(); // the run never trained a step: nothing worth keeping
      } else {
        MetricsPlot.renderIfPossible(run.metrics(), run.plot(), title(job), System.err::println);
      }
      throw e;
    }
    MetricsPlot.renderIfPossible(run.metrics(), run.plot(), title(job), System.err::println);
    System.out.printf(Locale.ROOT, "done: final reward %.3f in %s; metrics %s, plot %s, checkpoints %s%n", last[0],
        ProgressLine.duration(last[1]), run.metrics(), run.plot(), run.checkpoints());
    return 0;
  }

  private static String title(JobConfig job) {
    return job.name() + " (max_staleness " + job.maxStaleness() + ")";
  }
}
