package dev.asyncrl.experiments;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * One PNG per metric comparing the configurations of a sweep: each configuration is a line, its metric averaged
 * over its seeds step by step and smoothed with a trailing moving average, between two thin lines at ± one
 * standard deviation over the seeds (smoothed the same way). A label's first {@code key=value} picks the colour
 * and the rest the dash pattern, so that in a grid such as algorithm × lag each algorithm has one colour and each
 * lag one line style.
 */
public final class ComparisonPlot {
  private ComparisonPlot() {}

  static final int SMOOTHING = 20;

  /** @param runs per configuration label, the per-step metrics of each of its seeds */
  public static void render(String metric, Map<String, List<List<Map<String, Double>>>> runs, Path png) {
    int longest = runs.values().stream().flatMap(List::stream).mapToInt(List::size).max().orElse(0);
    if (longest == 0) {
      return;
    }
    XYChart chart = Charts.chart(1000, 560, metric + " (mean ± sd over seeds, " + SMOOTHING + "-step moving average)",
        metric, longest);
    List<double[]> drawn = new ArrayList<>();
    List<String> colours = new ArrayList<>();
    List<String> dashes = new ArrayList<>();
    for (Map.Entry<String, List<List<Map<String, Double>>>> e : runs.entrySet()) {
      double[][] stats = seedMeanAndSd(e.getValue(), metric);
      double[] mean = Charts.smooth(stats[0], SMOOTHING);
      if (mean.length == 0) {
        continue;
      }
      double[] sd = Charts.smooth(stats[1], SMOOTHING);
      double[] low = new double[mean.length];
      double[] high = new double[mean.length];
      for (int i = 0; i < mean.length; i++) {
        low[i] = mean[i] - sd[i];
        high[i] = mean[i] + sd[i];
      }
      double[] steps = Charts.steps(mean.length);
      String[] parts = e.getKey().split(", ", 2);
      Color c = Charts.PALETTE.get(indexOf(colours, parts[0]) % Charts.PALETTE.size());
      float[] dash = DASHES.get(indexOf(dashes, parts.length > 1 ? parts[1] : "") % DASHES.size());
      XYSeries line = Charts.line(chart, e.getKey() + " (" + e.getValue().size() + " seeds)", steps, mean, c, false);
      if (dash != null) {
        line.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f));
      }
      if (e.getValue().size() > 1) {
        for (double[] edge : List.of(low, high)) {
          XYSeries s = Charts.line(chart, e.getKey() + (edge == low ? " -sd" : " +sd"), steps, edge,
              new Color(c.getRed(), c.getGreen(), c.getBlue(), 150), false);
          s.setShowInLegend(false);
          s.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
        }
        drawn.add(low);
        drawn.add(high);
      }
      drawn.add(mean);
    }
    if (drawn.isEmpty()) {
      return;
    }
    Charts.yRange(chart, 0, 1, drawn.toArray(double[][]::new));
    Charts.save(List.of(chart), png);
  }

  /** Solid, dashed, dotted, dash-dotted. */
  private static final List<float[]> DASHES = java.util.Arrays.asList(null, new float[] {9f, 5f}, new float[] {2f, 4f},
      new float[] {9f, 4f, 2f, 4f});

  /** The position of {@code key} in {@code seen}, appending it when new. */
  private static int indexOf(List<String> seen, String key) {
    int i = seen.indexOf(key);
    if (i < 0) {
      seen.add(key);
      i = seen.size() - 1;
    }
    return i;
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
