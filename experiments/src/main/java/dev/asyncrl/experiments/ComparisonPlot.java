package dev.asyncrl.experiments;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * One PNG per metric comparing the configurations of a sweep: each configuration is a line, its metric averaged
 * over its seeds step by step and smoothed with a trailing moving average, between two thin lines at ± one
 * standard deviation over the seeds (smoothed the same way). When the configurations vary along more than one
 * axis (labels {@code a=1, b=2}), there is one panel per value of the first axis, with a line per value of the
 * others, all panels on the same y range; otherwise one panel.
 */
public final class ComparisonPlot {
  private ComparisonPlot() {}

  static final int SMOOTHING = 20;
  static final int PANEL_WIDTH = 700;
  static final int PANEL_HEIGHT = 380;

  /** Metrics that lie in [0, 1] by definition (the reward of the built-in tasks does too). */
  static final java.util.Set<String> UNIT_INTERVAL = java.util.Set.of("rollout/reward_mean", "rollout/solve_rate",
      "is/ess_ratio", "loss/clip_frac", "is/truncated_frac");

  /** One configuration's smoothed mean and ± sd lines. */
  private record Curve(String label, int seeds, double[] mean, double[] low, double[] high) {}

  /** @param runs per configuration label, the per-step metrics of each of its seeds */
  public static void render(String metric, Map<String, List<List<Map<String, Double>>>> runs, Path png) {
    Map<String, List<Curve>> panels = new LinkedHashMap<>();
    List<double[]> drawn = new ArrayList<>();
    int longest = 0;
    for (Map.Entry<String, List<List<Map<String, Double>>>> e : runs.entrySet()) {
      double[][] stats = seedMeanAndSd(e.getValue(), metric);
      if (stats[0].length == 0) {
        continue;
      }
      double[] mean = Charts.smooth(stats[0], SMOOTHING);
      double[] sd = Charts.smooth(stats[1], SMOOTHING);
      double[] low = new double[mean.length];
      double[] high = new double[mean.length];
      for (int i = 0; i < mean.length; i++) {
        low[i] = mean[i] - sd[i];
        high[i] = mean[i] + sd[i];
      }
      String[] parts = e.getKey().split(", ", 2);
      String panel = parts.length > 1 ? parts[0] : "";
      String line = parts.length > 1 ? parts[1] : e.getKey();
      panels.computeIfAbsent(panel, k -> new ArrayList<>()).add(new Curve(line, e.getValue().size(), mean, low, high));
      drawn.addAll(List.of(mean, low, high));
      longest = Math.max(longest, mean.length);
    }
    if (drawn.isEmpty()) {
      return;
    }
    String title = metric + " (mean ± sd over seeds, " + SMOOTHING + "-step moving average)";
    double[][] all = drawn.toArray(double[][]::new);
    List<XYChart> charts = new ArrayList<>();
    for (Map.Entry<String, List<Curve>> p : panels.entrySet()) {
      XYChart chart = Charts.chart(panels.size() == 1 ? 1000 : PANEL_WIDTH, panels.size() == 1 ? 560 : PANEL_HEIGHT,
          p.getKey().isEmpty() ? title : p.getKey(), metric, longest);
      int colour = 0;
      for (Curve c : p.getValue()) {
        Color color = Charts.PALETTE.get(colour++ % Charts.PALETTE.size());
        double[] steps = Charts.steps(c.mean().length);
        Charts.line(chart, c.label() + " (" + c.seeds() + (c.seeds() == 1 ? " seed)" : " seeds)"), steps, c.mean(), color,
            false);
        if (c.seeds() > 1) {
          Color edge = new Color(color.getRed(), color.getGreen(), color.getBlue(), 140);
          for (double[] bound : List.of(c.low(), c.high())) {
            XYSeries s = Charts.line(chart, c.label() + (bound == c.low() ? " -sd" : " +sd"), steps, bound, edge, false);
            s.setShowInLegend(false);
            s.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f},
                0f));
          }
        }
      }
      // One range for every panel, so that they compare at a glance; [0, 1] for the metrics bounded by it.
      if (UNIT_INTERVAL.contains(metric)) {
        Charts.yRange(chart, 0, 1, all);
      } else {
        Charts.autoRange(chart, all);
      }
      charts.add(chart);
    }
    Charts.save(charts, panels.size() == 1 ? 1 : 2, panels.size() == 1 ? null : title, png);
  }

  /**
   * Step-wise mean and standard deviation over seeds, as long as the shortest run, skipping steps where a seed
   * lacks the metric ({@code [0]} the means, {@code [1]} the deviations; 0 for a single seed).
   */
  public static double[][] seedMeanAndSd(List<List<Map<String, Double>>> seeds, String metric) {
    int n = seeds.stream().mapToInt(List::size).min().orElse(0);
    double[] mean = new double[n];
    double[] sd = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      double sq = 0;
      int k = 0;
      for (List<Map<String, Double>> run : seeds) {
        Double v = run.get(i).get(metric);
        if (v != null && Double.isFinite(v)) {
          s += v;
          sq += v * v;
          k++;
        }
      }
      mean[i] = k == 0 ? Double.NaN : s / k;
      sd[i] = k < 2 ? 0 : Math.sqrt(Math.max(0, (sq - k * mean[i] * mean[i]) / (k - 1)));
    }
    return new double[][] {mean, sd};
  }
}
