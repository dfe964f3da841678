package dev.asyncrl.experiments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One PNG per metric comparing the configurations of a sweep: each line is a configuration's metric averaged
 * over its seeds step by step, then smoothed with a trailing moving average.
 */
public final class ComparisonPlot {
  private ComparisonPlot() {}

  static final int SMOOTHING = 20;

  /** @param runs per configuration label, the per-step metrics of each of its seeds */
  public static void render(String metric, Map<String, List<List<Map<String, Double>>>> runs, Path png) {
    System.setProperty("java.awt.headless", "true");
    XYChart chart = new XYChartBuilder().width(1000).height(560).title(metric + " (mean over seeds, "
        + SMOOTHING + "-step moving average)").xAxisTitle("step").yAxisTitle(metric).build();
    boolean any = false;
    for (Map.Entry<String, List<List<Map<String, Double>>>> e : runs.entrySet()) {
      double[] mean = seedMean(e.getValue(), metric);
      if (mean.length == 0) {
        continue;
      }
      double[] steps = new double[mean.length];
      for (int i = 0; i < steps.length; i++) {
        steps[i] = i + 1;
      }
      XYSeries s = chart.addSeries(e.getKey(), steps, smooth(mean, SMOOTHING));
      s.setMarker(SeriesMarkers.NONE);
      any = true;
    }
    if (!any) {
      return;
    }
    try {
      BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + png, e);
    }
  }

  /** Step-wise mean over seeds, as long as the shortest run, skipping steps where a seed lacks the metric. */
  public static double[] seedMean(List<List<Map<String, Double>>> seeds, String metric) {
    int n = seeds.stream().mapToInt(List::size).min().orElse(0);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      int k = 0;
      for (List<Map<String, Double>> run : seeds) {
        Double v = run.get(i).get(metric);
        if (v != null && Double.isFinite(v)) {
          s += v;
          k++;
        }
      }
      out[i] = k == 0 ? Double.NaN : s / k;
    }
    return out;
  }

  public static double[] smooth(double[] x, int window) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double s = 0;
      int k = 0;
      for (int j = Math.max(0, i - window + 1); j <= i; j++) {
        if (Double.isFinite(x[j])) {
          s += x[j];
          k++;
        }
      }
      out[i] = k == 0 ? Double.NaN : s / k;
    }
    return out;
  }
}
