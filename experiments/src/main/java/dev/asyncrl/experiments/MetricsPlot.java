package dev.asyncrl.experiments;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.knowm.xchart.XYChart;

/**
 * The run's plot ({@code plot.png}) from {@code metrics.jsonl}: one panel per quantity, stacked, each with its
 * own axis. Reward (raw and smoothed, with the solve rate), staleness (mean smoothed, max per step), the ESS
 * ratio and throughput; a panel whose metric the run does not have is left out.
 */
public final class MetricsPlot {
  private MetricsPlot() {}

  static final int WIDTH = 900;
  static final int PANEL_HEIGHT = 260;

  public static void render(Path metricsJsonl, Path png, String title) {
    List<Map<String, Double>> log = MetricsLog.read(metricsJsonl);
    if (log.isEmpty()) {
      return;
    }
    double[] steps = MetricsLog.series(log, "step");
    double last = steps[steps.length - 1];
    int w = Charts.window(steps.length);
    List<XYChart> panels = new ArrayList<>();

    double[] reward = MetricsLog.series(log, "rollout/reward_mean");
    double[] solved = MetricsLog.series(log, "rollout/solve_rate");
    XYChart rewards = Charts.chart(WIDTH, PANEL_HEIGHT, title + ": reward", "reward", last);
    Charts.line(rewards, "reward mean", steps, reward, Charts.PALETTE.get(0), true);
    Charts.line(rewards, "reward mean, " + w + "-step average", steps, Charts.smooth(reward, w), Charts.PALETTE.get(0),
        false);
    if (present(solved)) {
      Charts.line(rewards, "solve rate, " + w + "-step average", steps, Charts.smooth(solved, w), Charts.PALETTE.get(4),
          false);
    }
    Charts.yRange(rewards, 0, 1, reward, solved);
    panels.add(rewards);

    double[] stalenessMean = MetricsLog.series(log, "staleness/mean");
    double[] stalenessMax = MetricsLog.series(log, "staleness/max");
    if (present(stalenessMax)) {
      XYChart staleness = Charts.chart(WIDTH, PANEL_HEIGHT, "staleness", "versions", last);
      Charts.line(staleness, "max per step", steps, stalenessMax, Charts.PALETTE.get(2), true);
      Charts.line(staleness, "mean, " + w + "-step average", steps, Charts.smooth(stalenessMean, w),
          Charts.PALETTE.get(1), false);
      double top = Arrays.stream(stalenessMax).filter(Double::isFinite).max().orElse(0);
      staleness.getStyler().setYAxisMin(0.0).setYAxisMax(Math.max(1, top) + 0.25);
      panels.add(staleness);
    }

    bounded(panels, "effective sample size", "ESS / batch", steps, MetricsLog.series(log, "is/ess_ratio"), w,
        Charts.PALETTE.get(6), 0, 1);
    bounded(panels, "throughput", "tokens/s", steps, MetricsLog.series(log, "perf/tokens_per_s"), w,
        Charts.PALETTE.get(3), 0, Double.NaN);
    Charts.save(panels, png);
  }

  /** A panel of one metric, raw and smoothed, in [lo, hi] when its values lie there (hi NaN: from lo up). */
  private static void bounded(List<XYChart> panels, String title, String yTitle, double[] steps, double[] values,
      int window, Color color, double lo, double hi) {
    if (!present(values)) {
      return;
    }
    XYChart chart = Charts.chart(WIDTH, PANEL_HEIGHT, title, yTitle, steps[steps.length - 1]);
    Charts.line(chart, "per step", steps, values, color, true);
    Charts.line(chart, window + "-step average", steps, Charts.smooth(values, window), color, false);
    double max = Arrays.stream(values).filter(Double::isFinite).max().orElse(lo);
    Charts.yRange(chart, lo, Double.isNaN(hi) ? Math.max(max * 1.05, lo + 1) : hi, values);
    panels.add(chart);
  }

  private static boolean present(double[] values) {
    return Arrays.stream(values).anyMatch(Double::isFinite);
  }

  /**
   * Renders when {@code metricsJsonl} exists; a failure is reported to {@code warn} instead of thrown, so that
   * it never hides the error that ended a run (a full disk shows first where it happened), nor fails a run on a
   * machine whose Java cannot draw text (a server image without the font libraries AWT links against).
   */
  public static void renderIfPossible(Path metricsJsonl, Path png, String title, Consumer<String> warn) {
    if (!Files.exists(metricsJsonl)) {
      return;
    }
    try {
      render(metricsJsonl, png, title);
    } catch (RuntimeException e) {
      warn.accept("warning: " + e.getMessage());
    } catch (LinkageError | java.awt.AWTError e) {
      warn.accept("warning: " + png + " not drawn: this Java cannot render charts (" + e + ")");
    }
  }
}
