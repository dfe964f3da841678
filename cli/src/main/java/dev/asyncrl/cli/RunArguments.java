package dev.asyncrl.cli;

import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.runtime.JobRunner;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** How a command treats the run folder: where it is, and whether an existing run is resumed or started over. */
final class RunArguments {

  @Option(names = "--run-dir", paramLabel = "DIR", description = "run folder (default <output_dir>/<name>)")
  Path runDir;

  @ArgGroup(exclusive = true)
  StartChoice start = new StartChoice();

  /** {@code --resume} (the default) or {@code --fresh}. */
  static final class StartChoice {
    @Option(names = "--resume", description = "continue the run in the run folder from its newest intact checkpoint "
        + "(the default; a finished run is reported as complete and left alone)")
    boolean resume;

    @Option(names = "--fresh", description = "delete what the run folder holds and start at step 0")
    boolean fresh;
  }

  @Option(names = "--dry-run", description = "print the resolved configuration and run every check (model, data, "
      + "devices, output folder, broker) without training")
  boolean dryRun;

  JobRunner.Start startMode() {
    return start != null && start.fresh ? JobRunner.Start.FRESH : JobRunner.Start.RESUME;
  }

  Path runDir(JobConfig job) {
    return (runDir != null ? runDir : JobRunner.defaultRunDir(job)).toAbsolutePath();
  }

  /** The runner's options for these arguments: the run folder and how to start. */
  JobRunner.Options options(JobConfig job) {
    return JobRunner.Options.of(job).withRunDir(runDir(job)).withStart(startMode());
  }

  /**
   * For {@code --dry-run}: checks {@code job} (with {@code broker}, the Kafka broker too) and prints its resolved
   * configuration and run folder.
   */
  void dryRun(JobConfig job, boolean broker) {
    JobRunner.check(job, broker);
    System.out.print(job.resolvedYaml());
    Path dir = runDir(job);
    int step = JobRunner.checkpointedStep(dir);
    System.out.println("# run folder: " + dir + (step == 0 ? "" : startMode() == JobRunner.Start.FRESH
        ? " (holds a run at step " + step + "; --fresh would delete it)"
        : " (resumes at step " + step + " of " + job.get(JobSchema.STEPS) + ")"));
    System.out.println("# dry run: every check passed" + (broker ? "" : " (the broker is started by the launch itself)")
        + "; nothing was trained or written");
  }
}
