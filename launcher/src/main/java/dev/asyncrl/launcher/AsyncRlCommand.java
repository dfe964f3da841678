package dev.asyncrl.launcher;

import dev.asyncrl.core.config.ConfigException;
import dev.asyncrl.core.config.JobSchema;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code asyncrl} command. */
@Command(name = "asyncrl", mixinStandardHelpOptions = true, version = "asyncrl 0.1.0",
    description = "Asynchronous RL post-training for language models.",
    subcommands = {TrainCommand.class, LaunchCommand.class, RoleCommands.TrainerRole.class,
        RoleCommands.WorkerRole.class, SweepCommand.class, BenchCommand.class, AsyncRlCommand.ConfigReference.class})
public final class AsyncRlCommand implements Runnable {

  /** Exit code for a configuration or usage error. */
  static final int USAGE_ERROR = 2;

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  @Command(name = "config-reference", description = "Print the job configuration reference (Markdown).")
  static final class ConfigReference implements Runnable {
    @Override
    public void run() {
      System.out.print(LocalRun.ALGORITHMS.jobSchema().referenceMarkdown());
    }
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (0 ok, 2 bad config or usage, 1 failure). */
  public static int execute(String... args) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    CommandLine cli = new CommandLine(new AsyncRlCommand());
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof ConfigException) {
        line.getErr().println("error: " + e.getMessage());
        return USAGE_ERROR;
      }
      line.getErr().println("error: " + e);
      if (Boolean.getBoolean("asyncrl.trace")) {
        e.printStackTrace(line.getErr());
      } else {
        line.getErr().println("(run with -Dasyncrl.trace=true for the stack trace)");
      }
      return 1;
    });
    return cli.execute(args);
  }
}
