package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.core.config.ConfigException;
import dev.asyncrl.core.config.ConfigSource;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.model.GptShape;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.rollout.EpisodeEvaluator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code task.eval_every} on a multi-turn environment: greedy episodes on instances 0 .. eval_size-1, played
 * to the horizon, reported as eval/accuracy, eval/turns_mean and eval/solved_turns_mean; the same weights give
 * the same numbers.
 */
class EpisodeEvaluationTest {

  @TempDir Path tmp;

  static JobConfig job(String... overrides) {
    return TestJobs.read("""
        seed: 2
        model: {d_model: 32, n_layers: 1, n_heads: 2, max_seq_len: 32}
        task: {name: guess, eval_every: 4, eval_size: 6, params: {max: 8}}
        rollout: {workers: 1, group_size: 4, groups_per_batch: 2, max_new_tokens: 2, max_turns: 4}
        trainer: {steps: 8, groups_per_step: 2, lr: 1.0e-3}
        """, "eval-job.yaml", overrides);
  }

  @Test
  void anEnvironmentIsEvaluatedOnItsOwnInstancesDuringTraining() throws Exception {
    JobConfig job = job();
    JobRunner.Outcome outcome = JobRunner.train(job, JobRunner.Options.of(job).withRunDir(tmp.resolve("run")), l -> {});
    Map<String, Double> m = outcome.lastMetrics();
    assertEquals(6, m.get("eval/episodes"));
    assertEquals(0, m.get("eval/failed_episodes"));
    assertTrue(m.get("eval/turns_mean") >= 1 && m.get("eval/turns_mean") <= 4, m.toString());
    assertTrue(m.get("eval/accuracy") >= 0 && m.get("eval/accuracy") <= 1, m.toString());
  }

  @Test
  void theSameWeightsGiveTheSameEvaluation() throws Exception {
    JobConfig job = job();
    List<String> log = new ArrayList<>();
    try (JobModel model = JobModel.of(job);
         TransformerPolicy policy = TransformerPolicy.initialize(new GptShape(32, 1, 2, 64, 32),
             model.tokenizer().vocabSize(), 3, Device.cpu(), DataType.FLOAT32)) {
      EpisodeEvaluator evaluator = new EpisodeEvaluator(model.environments(), model.prompting(), 16, 4,
          job.get(JobSchema.MAX_SEQ_LEN) - 1, 2, 5, log::add);
      Map<String, Double> first = evaluator.evaluate(policy);
      assertEquals(first, evaluator.evaluate(policy));
      assertEquals(16, first.get("eval/episodes"));
      // Greedy from random weights: every episode gives the same answers, so it is played to the horizon unless
      // those answers find the number: solved ones end early.
      double solvedTurns = first.get("eval/solved_turns_mean");
      assertTrue(first.get("eval/accuracy") == 0 ? solvedTurns == 0 : solvedTurns >= 1 && solvedTurns <= 4, first.toString());
      assertTrue(log.isEmpty(), log.toString());
    }
  }

  @Test
  void aTaskWithoutHeldOutProblemsCannotBeEvaluated() {
    JobConfig reverse = JobConfig.read(ConfigSource.fromString("task: {name: reverse, eval_every: 10}\n", "reverse.yaml"),
        JobRunner.ALGORITHMS.jobSchema());
    ConfigException e = assertThrows(ConfigException.class, () -> JobModel.of(reverse));
    assertTrue(e.getMessage().startsWith("task.eval_every at reverse.yaml:1:") && e.getMessage().contains(
        "needs held-out problems, and task 'reverse' has none (math has them in task.eval_data"), e.getMessage());
  }
}
