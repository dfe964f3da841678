package dev.asyncrl.cli;

import dev.asyncrl.core.BadInputException;
import dev.asyncrl.experiments.MetricsPlot;
import dev.asyncrl.experiments.RunReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code asyncrl report RUN}: report.html and plot.png from the metrics so far, also while the run trains. */
@Command(name = "report", description = "Write a run's report.html and plot.png from its metrics.jsonl so far "
    + "(runs write them when they finish; this works while one trains).")
final class ReportCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "RUN", description = "the run folder (it holds metrics.jsonl)")
  Path run;

  @Override
  public Integer call() {
    Path metrics = run.resolve("metrics.jsonl");
    if (!Files.isRegularFile(metrics)) {
      throw new BadInputException(run + ": not a run folder with metrics (it has no metrics.jsonl)");
    }
    String name = run.toAbsolutePath().normalize().getFileName().toString();
    RunReport.write(metrics, run.resolve("report.html"), name, "written by asyncrl report");
    MetricsPlot.render(metrics, run.resolve("plot.png"), name);
    System.out.println("wrote " + run.resolve("report.html") + " and " + run.resolve("plot.png"));
    return 0;
  }
}
