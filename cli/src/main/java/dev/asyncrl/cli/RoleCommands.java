package dev.asyncrl.cli;

import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.runtime.JobRunner;
import dev.asyncrl.runtime.ProgressLine;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The two process roles of a distributed job, for {@code asyncrl launch} or any scheduler. */
final class RoleCommands {
  private RoleCommands() {}

  @Command(name = "trainer", description = "Run the trainer of a job with datastore.type: kafka as one process; its "
      + "rollout workers are separate rollout-worker processes. Running it again resumes the run.")
  static final class TrainerRole implements Callable<Integer> {

    @Mixin
    JobArguments arguments = new JobArguments();

    @Mixin
    RunArguments run = new RunArguments();

    @Override
    public Integer call() throws Exception {
      JobConfig job = arguments.load();
      if (run.dryRun) {
        run.dryRun(job, true);
        return 0;
      }
      JobRunner.Options options = run.options(job).withWorkers(JobRunner.Workers.SEPARATE_PROCESSES)
          .withProgress(new ProgressLine.Target(System.out, false));
      JobRunner.Outcome outcome = JobRunner.train(job, options, System.out::println);
      if (!outcome.alreadyComplete()) {
        System.out.println("done: metrics " + outcome.run().metrics() + ", plot " + outcome.run().plot() + ", checkpoints "
            + outcome.run().checkpoints());
      }
      return 0;
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
      JobRunner.workers(job, process, processes, System.out::println);
      return 0;
    }
  }
}
