package dev.asyncrl.runtime;

import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.stream.Stream;

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
      throw new UncheckedIOException("cannot create run folder under " + outputDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Checks {@code output_dir} before anything is written: it must be a folder, or not exist yet under a folder
   * this process may write to.
   */
  public static void checkOutputDir(JobConfig job) {
    Path dir = job.outputDir().toAbsolutePath();
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return;
    }
    if (!Files.isDirectory(existing)) {
      throw job.settings().error(JobSchema.OUTPUT_DIR, existing + " is a file, not a folder");
    }
    if (!Files.isWritable(existing)) {
      throw job.settings().error(JobSchema.OUTPUT_DIR, "cannot write to " + existing + " (permission denied)");
    }
  }

  /** Removes the folder and everything in it: a run that failed before its first step leaves nothing behind. */
  public void delete() {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // best effort: the error that stopped the run is what the user needs to see
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
