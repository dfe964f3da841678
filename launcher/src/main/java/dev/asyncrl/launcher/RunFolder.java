package dev.asyncrl.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** {@code <output_dir>/<name>-<timestamp>/}: resolved config, metrics, checkpoints and the plot of a run. */
public record RunFolder(Path dir) {

  public static RunFolder create(Path outputDir, String name) {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    try {
      Files.createDirectories(outputDir);
      Path dir = outputDir.resolve(name + "-" + stamp);
      for (int i = 2; Files.exists(dir); i++) {
        dir = outputDir.resolve(name + "-" + stamp + "-" + i);
      }
      Files.createDirectories(dir);
      return new RunFolder(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create run folder under " + outputDir, e);
    }
  }

  public Path config() {
    return dir.resolve("config.yaml");
  }

  public Path metrics() {
    return dir.resolve("metrics.jsonl");
  }

  public Path checkpoints() {
    return dir.resolve("checkpoints");
  }

  public Path plot() {
    return dir.resolve("plot.png");
  }
}
