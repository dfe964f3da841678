package dev.asyncrl.cli;

import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.runtime.JobRunner;
import dev.asyncrl.runtime.ProgressLine;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code asyncrl train <config.yaml> [--set path=value ...] [--resume | --fresh] [--dry-run]}. */
@Command(name = "train", description = "Train a job from a YAML file in one process (rollout workers as threads; "
    + "the store from datastore.type). Running it again resumes the run in <output_dir>/<name>.")
final class TrainCommand implements Callable<Integer> {

  @Mixin
  JobArguments job = new JobArguments();

  @Mixin
  RunArguments run = new RunArguments();

  @Override
  public Integer call() throws Exception {
    JobConfig job = this.job.load();
    if (run.dryRun) {
      run.dryRun(job, true);
      return 0;
    }
    JobRunner.Options options = run.options(job).withProgress(ProgressLine.Target.console());
    System.out.println("run folder: " + options.runDir());
    JobRunner.Outcome outcome = JobRunner.train(job, options, System.out::println);
    if (!outcome.alreadyComplete()) {
      System.out.printf(Locale.ROOT, "done: step %d, final reward %.3f in %s; metrics %s, plot %s, checkpoints %s%n",
          outcome.lastStep(), outcome.lastMetrics().getOrDefault("rollout/reward_mean", Double.NaN),
          ProgressLine.duration(outcome.lastMetrics().getOrDefault("time/elapsed_s", 0.0)), outcome.run().metrics(),
          outcome.run().plot(), outcome.run().checkpoints());
    }
    return 0;
  }
}
