package dev.asyncrl.core.metrics;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncrl.core.JsonLines;
import java.nio.file.Path;
import java.util.Map;

/**
 * Appends one JSON object per step to {@code metrics.jsonl} (continuing an existing file, as a resumed run does),
 * flushed at each line so a crash loses nothing. A non-finite value is written as null.
 */
public final class JsonlMetricsSink implements MetricsSink {

  private final JsonLines.Appender out;

  public JsonlMetricsSink(Path file) {
    this.out = new JsonLines.Appender(file);
  }

  @Override
  public void record(long step, Map<String, Double> metrics) {
    ObjectNode line = JsonNodeFactory.instance.objectNode();
    line.put("step", step);
    metrics.forEach((k, v) -> {
      if (Double.isFinite(v)) {
        line.put(k, v);
      } else {
        line.putNull(k);
      }
    });
    out.append(line);
  }

  @Override
  public void close() {
    out.close();
  }
}
