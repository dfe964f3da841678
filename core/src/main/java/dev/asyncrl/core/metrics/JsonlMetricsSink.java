package dev.asyncrl.core.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Appends one JSON object per step to {@code metrics.jsonl}, flushed at each line so a crash loses nothing. */
public final class JsonlMetricsSink implements MetricsSink {

  private final ObjectMapper json = new ObjectMapper();
  private final BufferedWriter out;

  public JsonlMetricsSink(Path file) {
    try {
      this.out = Files.newBufferedWriter(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write metrics to " + file, e);
    }
  }

  @Override
  public synchronized void record(long step, Map<String, Double> metrics) {
    ObjectNode line = json.createObjectNode();
    line.put("step", step);
    metrics.forEach((k, v) -> {
      if (Double.isFinite(v)) {
        line.put(k, v);
      } else {
        line.putNull(k);
      }
    });
    try {
      out.write(json.writeValueAsString(line));
      out.newLine();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to metrics.jsonl", e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
