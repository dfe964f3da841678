package dev.asyncrl.cli;

import dev.asyncrl.runtime.JobRunner;
import dev.asyncrl.runtime.ParentWatch;

import dev.asyncrl.core.BadInputException;
import dev.asyncrl.core.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code asyncrl} command. */
@Command(name = "asyncrl", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
    versionProvider = AsyncRlCommand.Version.class,
    description = "Asynchronous RL post-training for language models.",
    subcommands = {TrainCommand.class, LaunchCommand.class, RoleCommands.TrainerRole.class,
        RoleCommands.WorkerRole.class, SweepCommand.class, ExportCommand.class, ReportCommand.class, AsyncRlCommand.ConfigReference.class})
public final class AsyncRlCommand implements Runnable {

  /** Exit code for a configuration or usage error. */
  static final int USAGE_ERROR = BadInputException.EXIT_CODE;

  /** The build's version and git commit ({@link BuildInfo}). */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {BuildInfo.describe()};
    }
  }

  /** Read before parsing (logging is set up first); declared so that every command accepts and documents it. */
  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "show the warnings of DJL, PyTorch and Kafka "
      + "(quiet by default)")
  boolean verbose;

  @Override
  public void run() {
    // A command is required: without one, say so on stderr and exit 2 like every usage error.
    throw new CommandLine.ParameterException(new CommandLine(this), "a command is required");
  }

  @Command(name = "config-reference", description = "Print the job configuration reference (Markdown).")
  static final class ConfigReference implements Runnable {
    @Override
    public void run() {
      System.out.print(JobRunner.ALGORITHMS.jobSchema().referenceMarkdown());
    }
  }

  public static void main(String[] args) {
    ParentWatch.startIfSupervised();
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (0 ok, 2 bad config, input or usage, 1 failure). */
  public static int execute(String... args) {
    return execute(new AsyncRlCommand(), args);
  }

  /**
   * Runs {@code command} (a picocli command object) with asyncrl's conventions: quiet library logs, offline DJL,
   * one-line errors, exit 2 for bad input and usage errors, 1 for failures.
   */
  public static int execute(Object command, String... args) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    if (!java.util.Arrays.asList(args).contains("--verbose")) {
      // Kafka clients log a WARN line per failed connection attempt; the errors that matter are reported by us.
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka",
          System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error"));
      // DJL warns "Failed to detect GPU count" on every machine without CUDA; the placement line says what was found.
      System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils",
          System.getProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error"));
    }
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    CommandLine cli = new CommandLine(command);
    cli.setParameterExceptionHandler((e, arguments) -> {
      CommandLine at = e.getCommandLine();
      String message = e.getMessage().startsWith("Error: ") ? e.getMessage().substring(7) : e.getMessage();
      at.getErr().println("error: " + message + " (see '" + at.getCommandSpec().qualifiedName() + " --help')");
      return USAGE_ERROR;
    });
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      BadInputException input = badInput(e);
      if (input != null) {
        line.getErr().println("error: " + input.getMessage());
        return USAGE_ERROR;
      }
      line.getErr().println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
      if (Boolean.getBoolean("asyncrl.trace")) {
        e.printStackTrace(line.getErr());
      } else {
        line.getErr().println("(run with -Dasyncrl.trace=true for the stack trace)");
      }
      return 1;
    });
    return cli.execute(args);
  }

  /** The bad input behind {@code e}, also when a worker thread's failure wraps it; null if none. */
  static BadInputException badInput(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BadInputException b) {
        return b;
      }
    }
    return null;
  }
}
