package dev.asyncrl.cli;

import dev.asyncrl.experiments.ComparisonPlot;
import dev.asyncrl.experiments.RunResult;
import dev.asyncrl.experiments.SweepSpec;
import dev.asyncrl.experiments.SweepSummary;
import dev.asyncrl.runtime.JobRunner;
import dev.asyncrl.experiments.MetricsLog;
import dev.asyncrl.runtime.RunFolder;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncrl.core.config.ConfigException;
import dev.asyncrl.core.config.JobConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code asyncrl sweep <sweep.yaml>}: trains every grid point of a {@link SweepSpec} into
 * {@code <output_dir>/<name>/<point>/}, skipping points that already finished (a run folder with
 * {@code result.json}) and restarting half-finished ones, then writes {@code summary.csv}, {@code summary.md}
 * and one comparison plot per metric under {@code plots/}.
 */
@Command(name = "sweep", description = "Run a grid of jobs (e.g. algorithm x lag x seed) and compare them.")
final class SweepCommand implements Callable<Integer> {

  /** Metrics compared across configurations, one PNG each. */
  static final List<String> PLOTTED = List.of("rollout/reward_mean", "is/ess_ratio", "train/grad_norm",
      "train/lr_effective", "loss/kl_behaviour", "staleness/mean");

  @Parameters(index = "0", paramLabel = "SWEEP", description = "sweep YAML, e.g. configs/sweeps/staleness.yaml")
  Path file;

  @Option(names = "--parallel", description = "runs at the same time (overrides the file's parallel)")
  Integer parallel;

  @Override
  public Integer call() throws Exception {
    SweepSpec spec = SweepSpec.load(file);
    Map<SweepSpec.Point, JobConfig> jobs = validate(spec);
    Path dir = spec.folder();
    Files.createDirectories(dir);
    Files.copy(file, dir.resolve("sweep.yaml"), StandardCopyOption.REPLACE_EXISTING);
    System.out.printf(Locale.ROOT, "sweep %s: %d runs of %s into %s%n", spec.name(), jobs.size(), spec.base(), dir);
    int threads = parallel != null ? parallel : spec.parallel();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<SweepSummary.Row>> futures = new ArrayList<>();
    try {
      for (Map.Entry<SweepSpec.Point, JobConfig> e : jobs.entrySet()) {
        futures.add(pool.submit(() -> runOnce(spec, e.getKey(), e.getValue())));
      }
      List<SweepSummary.Row> rows = new ArrayList<>();
      for (Future<SweepSummary.Row> f : futures) {
        rows.add(f.get());
      }
      summarize(spec, rows);
    } finally {
      pool.shutdownNow();
    }
    return 0;
  }

  /** Loads every point's job before anything runs, so a bad point fails the sweep at once. */
  static Map<SweepSpec.Point, JobConfig> validate(SweepSpec spec) {
    Map<SweepSpec.Point, JobConfig> jobs = new LinkedHashMap<>();
    for (SweepSpec.Point p : spec.points()) {
      try {
        jobs.put(p, JobRunner.load(spec.base(), spec.overrides(p)));
        JobRunner.check(jobs.get(p), false);
      } catch (ConfigException e) {
        throw new ConfigException(spec.file() + ", run " + p.label() + ": " + e.getMessage());
      }
    }
    return jobs;
  }

  private static SweepSummary.Row runOnce(SweepSpec spec, SweepSpec.Point point, JobConfig job) throws Exception {
    // A point interrupted earlier resumes from its checkpoint; a finished one is only summarized again.
    JobRunner.Outcome outcome = JobRunner.train(job, JobRunner.Options.of(job)
        .withRunDir(spec.folder().resolve(point.label())), line -> {});
    RunFolder run = outcome.run();
    Path result = run.dir().resolve("result.json");
    ObjectMapper json = new ObjectMapper();
    if (outcome.alreadyComplete() && Files.isRegularFile(result)) {
      System.out.println("done already: " + point.label());
      return new SweepSummary.Row(point, json.readValue(result.toFile(), RunResult.class));
    }
    RunResult r = RunResult.of(MetricsLog.read(run.metrics()), spec.targetReward(), spec.finalWindow());
    Path tmp = run.dir().resolve("result.json.tmp");
    json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), r);
    Files.move(tmp, result, StandardCopyOption.ATOMIC_MOVE);
    System.out.printf(Locale.ROOT, "finished %s: final reward %.3f, min ESS ratio %.3f, %.0f s%n", point.label(),
        r.finalReward(), r.minEssRatio(), r.wallSeconds());
    return new SweepSummary.Row(point, r);
  }

  private static void summarize(SweepSpec spec, List<SweepSummary.Row> rows) throws IOException {
    Path dir = spec.folder();
    Files.writeString(dir.resolve("summary.csv"), SweepSummary.csv(rows));
    String table = SweepSummary.markdown(rows, spec.targetReward(), spec.finalWindow());
    Path cwd = Path.of("").toAbsolutePath();
    Path base = spec.base().startsWith(cwd) ? cwd.relativize(spec.base()) : spec.base();
    Files.writeString(dir.resolve("summary.md"), "# Sweep " + spec.name() + "\n\nBase job `" + base
        + "`" + (spec.common().isEmpty() ? "" : " with " + String.join(", ", spec.common())) + ".\n\n" + table);
    Path plots = dir.resolve("plots");
    Files.createDirectories(plots);
    Map<String, List<List<Map<String, Double>>>> byConfiguration = new LinkedHashMap<>();
    for (SweepSummary.Row r : rows) {
      String label = r.point().configuration().isEmpty() ? "all" : String.join(", ",
          r.point().configuration().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
      byConfiguration.computeIfAbsent(label, k -> new ArrayList<>())
          .add(MetricsLog.read(new RunFolder(dir.resolve(r.point().label())).metrics()));
    }
    for (String metric : PLOTTED) {
      ComparisonPlot.render(metric, byConfiguration, plots.resolve(metric.replace('/', '_') + ".png"));
    }
    System.out.print(table);
    System.out.println("summary: " + dir.resolve("summary.md") + ", " + dir.resolve("summary.csv") + ", plots in " + plots);
  }

}
