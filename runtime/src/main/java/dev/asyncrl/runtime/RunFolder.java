package dev.asyncrl.runtime;

import dev.asyncrl.core.FileTrees;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A run folder and the files in it: {@code config.yaml} (the resolved job), {@code metrics.jsonl},
 * {@code groups.jsonl} (the ledger), {@code checkpoints/}, {@code plot.png}, and for a Hugging Face model the
 * exported {@code model/} or {@code adapter/}. Only {@link JobRunner} writes them.
 */
public record RunFolder(Path dir) {

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

  /** Whether a step's metrics were recorded: a run that has not is worth nothing and may be removed. */
  public boolean hasTrained() {
    try {
      return Files.isRegularFile(metrics()) && Files.size(metrics()) > 0;
    } catch (IOException e) {
      return true;
    }
  }

  /** Removes the folder and everything in it: a run that failed before its first step leaves nothing behind. */
  public void delete() {
    try {
      FileTrees.delete(dir);
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

  /** {@code sft.jsonl}: per supervised warm-up step ({@code sft.steps}), its metrics. */
  public Path sft() {
    return dir.resolve("sft.jsonl");
  }

  /** {@code samples.jsonl}: per step, a few trained responses as text ({@code trainer.log_samples}). */
  public Path samples() {
    return dir.resolve("samples.jsonl");
  }

  /** {@code groups.jsonl}: per step, the group ids trained, dropped and filtered. */
  public Path ledger() {
    return dir.resolve("groups.jsonl");
  }

  public Path checkpoints() {
    return dir.resolve("checkpoints");
  }

  /** {@code tensorboard/}: TensorBoard event files of the step metrics. */
  public Path tensorboard() {
    return dir.resolve("tensorboard");
  }

  /** {@code report.html}: the run's interactive charts, self-contained. */
  public Path report() {
    return dir.resolve("report.html");
  }

  public Path plot() {
    return dir.resolve("plot.png");
  }
}
