package dev.asyncrl.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncrl.core.JsonLines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a run's {@code metrics.jsonl} back: one map of metric name to value per step, in step order. */
public final class MetricsLog {
  private MetricsLog() {}

  public static List<Map<String, Double>> read(Path metricsJsonl) {
    List<Map<String, Double>> steps = new ArrayList<>();
    for (JsonLines.Line line : JsonLines.read(metricsJsonl)) {
      Map<String, Double> row = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = line.value().fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (f.getValue().isNumber()) {
          row.put(f.getKey(), f.getValue().asDouble());
        }
      }
      steps.add(row);
    }
    return steps;
  }

  /** The values of {@code metric} over the steps (NaN where a step lacks it). */
  public static double[] series(List<Map<String, Double>> steps, String metric) {
    return steps.stream().mapToDouble(m -> m.getOrDefault(metric, Double.NaN)).toArray();
  }
}
