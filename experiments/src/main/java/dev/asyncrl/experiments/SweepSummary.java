package dev.asyncrl.experiments;

import dev.asyncrl.core.metrics.Statistics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The tables of a finished sweep: {@code summary.csv} with one row per run, and a Markdown table with one
 * row per configuration (the runs that differ only in their seed), as mean ± sample std over seeds.
 */
public final class SweepSummary {
  private SweepSummary() {}

  public record Row(SweepSpec.Point point, RunResult result) {}

  public static String csv(List<Row> rows) {
    StringBuilder out = new StringBuilder();
    List<String> axes = rows.isEmpty() ? List.of() : List.copyOf(rows.get(0).point().values().keySet());
    out.append(String.join(",", axes)).append(axes.isEmpty() ? "" : ",")
        .append("steps,final_reward,steps_to_target,min_ess_ratio,wall_s\n");
    for (Row r : rows) {
      for (String a : axes) {
        out.append(r.point().values().get(a)).append(',');
      }
      RunResult x = r.result();
      out.append(String.format(Locale.ROOT, "%d,%.4f,%d,%.4f,%.1f%n", x.steps(), x.finalReward(), x.stepsToTarget(),
          x.minEssRatio(), x.wallSeconds()));
    }
    return out.toString();
  }

  public static Map<Map<String, String>, List<RunResult>> byConfiguration(List<Row> rows) {
    Map<Map<String, String>, List<RunResult>> groups = new LinkedHashMap<>();
    for (Row r : rows) {
      groups.computeIfAbsent(r.point().configuration(), k -> new ArrayList<>()).add(r.result());
    }
    return groups;
  }

  public static String markdown(List<Row> rows, double target, int window) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "| configuration | seeds | final reward (last %d steps, mean ± std) | "
        + "steps to reward %.2f (mean of runs that reached it) | min ESS ratio (mean over seeds) | wall time (mean) |%n",
        window, target));
    out.append("| --- | --- | --- | --- | --- | --- |\n");
    for (Map.Entry<Map<String, String>, List<RunResult>> e : byConfiguration(rows).entrySet()) {
      List<RunResult> runs = e.getValue();
      double[] finals = runs.stream().mapToDouble(RunResult::finalReward).toArray();
      double[] reached = runs.stream().filter(r -> r.stepsToTarget() > 0).mapToDouble(RunResult::stepsToTarget).toArray();
      String label = e.getKey().isEmpty() ? "(all)" : e.getKey().entrySet().stream()
          .map(x -> x.getKey() + "=" + x.getValue()).reduce((a, b) -> a + ", " + b).orElse("");
      out.append(String.format(Locale.ROOT, "| %s | %d | %.3f ± %.3f | %s | %.3f | %.0f s |%n", label, runs.size(),
          mean(finals), std(finals),
          reached.length == 0 ? "never" : String.format(Locale.ROOT, "%.0f (%d of %d)", mean(reached), reached.length, runs.size()),
          mean(runs.stream().mapToDouble(RunResult::minEssRatio).toArray()),
          mean(runs.stream().mapToDouble(RunResult::wallSeconds).toArray())));
    }
    return out.toString();
  }

  private static double mean(double[] x) {
    return Statistics.mean(x);
  }

  private static double std(double[] x) {
    return Statistics.std(x, true);
  }
}
