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
    this(file, false);
  }

  /** @param append continue an existing file (a resumed run) instead of replacing it */
  public JsonlMetricsSink(Path file, boolean append) {
    try {
      this.out = append
          ? Files.newBufferedWriter(file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)
          : Files.newBufferedWriter(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write metrics to " + file, e);
    }
  }

  /**
   * Drops the lines of a JSONL file whose {@code "step"} is after {@code lastStep}: a trainer resumed from
   * the checkpoint of {@code lastStep} redoes those steps, and the log must show each step once. A missing
   * file is left missing. The kept lines go to a temporary file that replaces the original by an atomic
   * rename, so a process killed meanwhile leaves the old file or the new one, never a cut one.
   */
  public static void truncateAfter(Path file, long lastStep) {
    if (!Files.exists(file)) {
      return;
    }
    try {
      ObjectMapper json = new ObjectMapper();
      java.util.List<String> kept = new java.util.ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        if (line.isBlank()) {
          continue;
        }
        try {
          if (json.readTree(line).path("step").asLong(Long.MAX_VALUE) <= lastStep) {
            kept.add(line);
          }
        } catch (IOException partial) {
          // the last line of a killed process may be cut short; it belongs to a step being redone
        }
      }
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, kept);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite " + file, e);
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
