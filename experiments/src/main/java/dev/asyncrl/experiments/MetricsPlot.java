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

/** Renders reward and staleness over steps from {@code metrics.jsonl} into a PNG (headless). */
public final class MetricsPlot {
  private MetricsPlot() {}

  public static void render(Path metricsJsonl, Path png, String title) {
    List<Map<String, Double>> log = MetricsLog.read(metricsJsonl);
    double[] steps = MetricsLog.series(log, "step");
    double[] reward = MetricsLog.series(log, "rollout/reward_mean");
    double[] staleness = MetricsLog.series(log, "staleness/mean");
    double[] stalenessMax = MetricsLog.series(log, "staleness/max");
    try {
      if (steps.length == 0) {
        return;
      }
      System.setProperty("java.awt.headless", "true");
      XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("step").build();
      chart.setYAxisGroupTitle(0, "reward");
      chart.setYAxisGroupTitle(1, "staleness (versions)");
      XYSeries r = chart.addSeries("reward mean", steps, reward);
      r.setMarker(SeriesMarkers.NONE);
      XYSeries s = chart.addSeries("staleness mean", steps, staleness);
      s.setMarker(SeriesMarkers.NONE);
      s.setYAxisGroup(1);
      XYSeries sm = chart.addSeries("staleness max", steps, stalenessMax);
      sm.setMarker(SeriesMarkers.NONE);
      sm.setYAxisGroup(1);
      BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render " + png + ": " + e.getMessage(), e);
    }
  }

  /**
   * Renders when {@code metricsJsonl} exists; a failure is reported to {@code warn} instead of thrown, so that
   * it never hides the error that ended a run (a full disk shows first where it happened).
   */
  public static void renderIfPossible(Path metricsJsonl, Path png, String title, java.util.function.Consumer<String> warn) {
    if (!java.nio.file.Files.exists(metricsJsonl)) {
      return;
    }
    try {
      render(metricsJsonl, png, title);
    } catch (RuntimeException e) {
      warn.accept("warning: " + e.getMessage());
    }
  }
}
