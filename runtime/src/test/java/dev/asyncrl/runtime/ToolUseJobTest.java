package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.core.config.ConfigException;
import dev.asyncrl.core.config.ConfigSource;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.rollout.tools.ToolUse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code task.tools}: the math task on a tiny Qwen2-shaped model with Qwen2.5's real chat template, with the
 * calculator described to the model in its system turn; the task becomes multi-turn, trains, and its held-out
 * problems are evaluated as episodes with the calculator.
 */
class ToolUseJobTest {

  @TempDir
  Path tmp;

  private JobConfig job(String tools) throws Exception {
    Path model = HfMathGrpoTest.tinyQwen(tmp.resolve("tiny-qwen2"));
    Path train = HfMathGrpoTest.problems(tmp.resolve("train.jsonl"), 20, 1);
    ConfigSource source = ConfigSource.fromString("""
        seed: 1
        model: {max_seq_len: 1100}
        task: {name: math, prompt_template: "{question}="}
        rollout: {workers: 1, group_size: 2, groups_per_batch: 2, max_new_tokens: 4, max_turns: 3}
        trainer: {steps: 2, groups_per_step: 2, lr: 1.0e-3}
        """, "tools.yaml");
    source.override("model.path=" + model);
    source.override("task.data=" + train);
    source.override("task.tools=" + tools);
    source.override("task.eval_data=" + HfMathGrpoTest.problems(tmp.resolve("eval.jsonl"), 5, 2));
    source.override("task.eval_every=2");
    return JobConfig.from(JobRunner.ALGORITHMS.jobSchema().resolve(source));
  }

  @Test
  void theCalculatorIsDescribedToTheModelAndTheTaskTrainsOverTurns() throws Exception {
    JobConfig job = job("calculator");
    try (JobModel model = JobModel.of(job)) {
      assertTrue(model.environments() instanceof ToolUse);
      String prompt = model.prompting().text("3+4=");
      assertTrue(prompt.contains("<tools>") && prompt.contains("\"name\": \"calculator\""), prompt);
      assertEquals(3, model.horizon().at(0), "with tools a single-turn task takes up to rollout.max_turns turns");
    }
    JobRunner.Outcome outcome = JobRunner.train(job, JobRunner.Options.of(job).withRunDir(tmp.resolve("run")), l -> {});
    assertEquals(2, outcome.lastStep());
    // The held-out problems are evaluated as episodes with the calculator, to the horizon.
    assertEquals(5, outcome.lastMetrics().get("eval/episodes"));
    assertTrue(outcome.lastMetrics().get("eval/turns_mean") >= 1, outcome.lastMetrics().toString());
  }

  @Test
  void anUnknownToolIsAKeyedError() {
    ConfigException e = assertThrows(ConfigException.class, () -> JobModel.of(job("calculator, search")));
    assertTrue(e.getMessage().startsWith("task.tools at --set task.tools=calculator, search: no built-in tool named "
        + "'search'; known: calculator"), e.getMessage());
  }
}
