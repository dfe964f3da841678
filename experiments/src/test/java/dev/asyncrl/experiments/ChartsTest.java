package dev.asyncrl.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class ChartsTest {

  @TempDir Path dir;

  @Test
  void theStepAxisEndsOnARoundTickPastTheLastStep() {
    assertEquals(1600, Charts.axisEnd(1500));
    assertEquals(450, Charts.axisEnd(400));
    assertEquals(25, Charts.axisEnd(20));
    assertEquals(1.2, Charts.axisEnd(1), 1e-12);
  }

  @Test
  void boundedMetricsGetTheirFixedRangeAndAConstantSeriesIsNotDrawnAsAStep() {
    XYChart rate = Charts.chart(400, 200, "t", "y", 10);
    Charts.yRange(rate, 0, 1, new double[] {0.2, 0.9, Double.NaN});
    assertEquals(0.0, rate.getStyler().getYAxisMin());
    assertEquals(1.0, rate.getStyler().getYAxisMax());

    XYChart constant = Charts.chart(400, 200, "t", "y", 10);
    Charts.yRange(constant, 0, 1, new double[] {3.0, 3.0, 3.0});
    assertTrue(constant.getStyler().getYAxisMin() <= 2.8 && constant.getStyler().getYAxisMax() >= 3.2,
        constant.getStyler().getYAxisMin() + " .. " + constant.getStyler().getYAxisMax());
  }

  @Test
  void anUnboundedMetricIsDrawnOnItsOwnScaleHoweverSmall() {
    XYChart lr = Charts.chart(400, 200, "t", "y", 10);
    Charts.autoRange(lr, new double[] {4e-4, 5e-4});
    assertTrue(lr.getStyler().getYAxisMin() > 3e-4 && lr.getStyler().getYAxisMax() < 6e-4,
        lr.getStyler().getYAxisMin() + " .. " + lr.getStyler().getYAxisMax());
  }

  @Test
  void smoothingIsATrailingMeanThatSkipsMissingValues() {
    assertArrayEquals(new double[] {1, 1.5, 2.5, 3}, Charts.smooth(new double[] {1, 2, 3, Double.NaN}, 2), 1e-12);
  }

  @Test
  void theRunPlotHasOnePanelPerMetricTheRunHas() throws Exception {
    Path full = dir.resolve("full.jsonl");
    Path rewardOnly = dir.resolve("reward.jsonl");
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    for (int step = 1; step <= 30; step++) {
      a.append("{\"step\": %d, \"rollout/reward_mean\": %.2f, \"rollout/solve_rate\": 0.5, \"staleness/mean\": 1.0, "
          .formatted(step, step / 30.0)).append("\"staleness/max\": 2, \"is/ess_ratio\": 0.9, \"perf/tokens_per_s\": 1000}\n");
      b.append("{\"step\": %d, \"rollout/reward_mean\": 1.0}\n".formatted(step));
    }
    Files.writeString(full, a);
    Files.writeString(rewardOnly, b);
    MetricsPlot.render(full, dir.resolve("full.png"), "run");
    MetricsPlot.render(rewardOnly, dir.resolve("reward.png"), "run");
    BufferedImage four = ImageIO.read(dir.resolve("full.png").toFile());
    BufferedImage one = ImageIO.read(dir.resolve("reward.png").toFile());
    assertEquals(4 * MetricsPlot.PANEL_HEIGHT, four.getHeight());
    assertEquals(MetricsPlot.PANEL_HEIGHT, one.getHeight());
    assertEquals(MetricsPlot.WIDTH, four.getWidth());
  }

  @Test
  void seedSpreadIsTheSampleStandardDeviationPerStep() {
    List<Map<String, Double>> s1 = List.of(Map.of("m", 1.0), Map.of("m", 2.0), Map.of("m", 9.0));
    List<Map<String, Double>> s2 = List.of(Map.of("m", 3.0), Map.of("m", 2.0));
    double[][] stats = ComparisonPlot.seedMeanAndSd(List.of(s1, s2), "m");
    assertArrayEquals(new double[] {2, 2}, stats[0], 1e-12, "as long as the shortest seed");
    assertArrayEquals(new double[] {Math.sqrt(2), 0}, stats[1], 1e-12);
  }

  @Test
  void aTwoAxisSweepGetsOnePanelPerValueOfTheFirstAxis() throws Exception {
    List<Map<String, Double>> seed = List.of(Map.of("m", 0.1), Map.of("m", 0.5), Map.of("m", 0.9));
    Map<String, List<List<Map<String, Double>>>> runs = new java.util.LinkedHashMap<>();
    for (String algorithm : List.of("grpo", "ppo", "vcpo")) {
      for (int lag : new int[] {0, 8}) {
        runs.put("algorithm.name=" + algorithm + ", rollout.lag=" + lag, List.of(seed, seed));
      }
    }
    ComparisonPlot.render("m", runs, dir.resolve("grid.png"));
    ComparisonPlot.render("m", Map.of("seed-only", List.of(seed)), dir.resolve("one.png"));
    BufferedImage grid = ImageIO.read(dir.resolve("grid.png").toFile());
    assertEquals(2 * ComparisonPlot.PANEL_WIDTH, grid.getWidth(), "two columns");
    assertTrue(grid.getHeight() >= 2 * ComparisonPlot.PANEL_HEIGHT, "three panels need two rows");
    assertEquals(1000, ImageIO.read(dir.resolve("one.png").toFile()).getWidth(), "one axis: one panel");
  }
}
