package dev.asyncrl.runtime;

import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.core.metrics.JsonlMetricsSink;
import dev.asyncrl.rollout.Demonstrations;
import dev.asyncrl.trainer.SupervisedWarmup;
import dev.asyncrl.trainer.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** The supervised warm-up of a fresh run ({@code sft.steps}), between building the trainer and publishing version 0. */
final class WarmUpPhase {

  private WarmUpPhase() {}

  /**
   * {@code sft.steps} supervised steps on the environment's demonstrations, before version 0 is published; one
   * line per step in {@code sft.jsonl} (the last with the held-out evaluation, when one is configured). Then RL
   * starts from these weights with a fresh optimizer, and they are the KL reference.
   */
  static void run(JobConfig job, JobModel model, TrainerParts parts, Path lines,
      Optional<Trainer.Evaluation> evaluation, Consumer<String> log) {
    int steps = job.get(JobSchema.SFT_STEPS);
    int batch = job.get(JobSchema.SFT_BATCH);
    double lr = job.get(JobSchema.SFT_LR);
    Demonstrations demonstrations = new Demonstrations(model.environments(), model.prompting(),
        job.get(JobSchema.MAX_SEQ_LEN), job.get(JobSchema.SEED));
    SupervisedWarmup sft = new SupervisedWarmup(parts.policy(), parts.optimizer(), job.get(JobSchema.GRAD_CLIP),
        job.get(JobSchema.MICRO_BATCH_ROWS));
    log.accept("supervised warm-up: " + steps + " steps of " + batch + " demonstrations of '"
        + model.environments().name() + "' at lr " + lr);
    long start = System.nanoTime();
    try {
      Files.deleteIfExists(lines); // a warm-up redone (a fresh run restarted before its first checkpoint) starts over
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (JsonlMetricsSink out = new JsonlMetricsSink(lines)) {
      for (int step = 1; step <= steps; step++) {
        List<Trajectory> shown;
        try {
          shown = demonstrations.next(batch);
        } catch (Exception e) {
          throw new IllegalStateException("sft.steps: a demonstration of environment '" + model.environments().name()
              + "' failed: " + e.getMessage(), e);
        }
        Map<String, Double> metrics = new LinkedHashMap<>(sft.step(shown, lr));
        metrics.put("sft/reward_mean", shown.stream().mapToDouble(Trajectory::reward).average().orElse(0));
        if (step == steps && evaluation.isPresent()) {
          metrics.putAll(evaluation.get().evaluate(parts.policy()));
        }
        metrics.put("time/elapsed_s", (System.nanoTime() - start) / 1e9);
        out.record(step, metrics);
        if (step == 1 || step == steps || step % 50 == 0) {
          log.accept(String.format(Locale.ROOT, "sft step %d/%d | loss %.4f | p>1/2 %.2f%s | %.0fs", step, steps,
              metrics.get("sft/loss"), metrics.get("sft/p_over_half"), metrics.containsKey("eval/accuracy")
                  ? String.format(Locale.ROOT, " | eval accuracy %.2f, reward %.3f", metrics.get("eval/accuracy"),
                      metrics.get("eval/reward_mean")) : "", metrics.get("time/elapsed_s")));
        }
      }
    }
    parts.optimizer().reset();
    parts.referenceFromPolicy();
  }

}
