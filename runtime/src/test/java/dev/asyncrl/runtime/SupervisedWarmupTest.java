package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.core.JsonLines;
import dev.asyncrl.core.config.ConfigException;
import dev.asyncrl.core.config.ConfigSource;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.model.hf.HfConfig;
import dev.asyncrl.model.hf.HfModel;
import dev.asyncrl.model.hf.TinyTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sft.steps}: the built-in model, shown binary search on the guessing game, plays it well before any RL
 * step (a random guesser finds the number in 6 guesses about 17% of the time); the warm-up's lines are in
 * {@code sft.jsonl}; a resumed run does not warm up again; an environment without demonstrations is refused
 * naming the key.
 */
class SupervisedWarmupTest {

  @TempDir Path tmp;

  static JobConfig job(String... overrides) {
    return TestJobs.read("""
        seed: 1
        model: {d_model: 64, n_layers: 2, n_heads: 4, max_seq_len: 32, init: pytorch}
        task: {name: guess, eval_every: 2, eval_size: 32, params: {max: 32}}
        rollout: {workers: 1, group_size: 4, groups_per_batch: 2, max_new_tokens: 3, max_turns: 6}
        trainer: {steps: 2, groups_per_step: 2, lr: 1.0e-4, checkpoint_every: 2}
        sft: {steps: 100, batch: 32, lr: 1.0e-3}
        """, "sft-job.yaml", overrides);
  }

  @Test
  void demonstrationsTeachTheGameBeforeRl() throws Exception {
    JobConfig job = job();
    Path run = tmp.resolve("run");
    List<String> log = new ArrayList<>();
    JobRunner.train(job, JobRunner.Options.of(job).withRunDir(run), log::add);
    List<JsonLines.Line> lines = JsonLines.read(run.resolve("sft.jsonl"));
    assertEquals(100, lines.size());
    Map<String, Double> first = metrics(lines.get(0));
    Map<String, Double> last = metrics(lines.get(99));
    assertTrue(last.get("sft/loss") < first.get("sft/loss") / 5, first + " -> " + last);
    assertTrue(last.get("eval/accuracy") >= 0.6, "greedy play after the warm-up: " + last);
    assertTrue(log.stream().anyMatch(l -> l.startsWith("supervised warm-up: 100 steps of 32 demonstrations of 'guess'")),
        log.toString());
    // Version 0 is the warmed-up policy: the first RL step's groups already solve most games.
    Map<String, Double> rl = metrics(JsonLines.read(run.resolve("metrics.jsonl")).get(0));
    assertTrue(rl.get("rollout/solve_rate") >= 0.4, rl.toString());

    // Running the finished job again with more steps resumes from its checkpoint: no second warm-up.
    JobConfig longer = job("trainer.steps=4");
    log.clear();
    JobRunner.train(longer, JobRunner.Options.of(longer).withRunDir(run), log::add);
    assertEquals(100, JsonLines.read(run.resolve("sft.jsonl")).size());
    assertTrue(log.stream().noneMatch(l -> l.startsWith("supervised warm-up")), log.toString());
  }

  private static Map<String, Double> metrics(JsonLines.Line line) {
    Map<String, Double> m = new java.util.LinkedHashMap<>();
    line.value().fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asDouble()));
    return m;
  }

  @Test
  void anEnvironmentWithoutDemonstrationsIsRefused() {
    JobConfig job = TestJobs.read("task: {name: reverse}\nsft: {steps: 5}\n", "no-demos.yaml");
    ConfigException e = assertThrows(ConfigException.class, () -> JobModel.of(job));
    assertTrue(e.getMessage().startsWith("sft.steps at no-demos.yaml:2:") && e.getMessage().contains(
        "needs demonstrations, and environment 'reverse' gives none"), e.getMessage());
  }

  /** {@code model.weights: random}: a folder with a config and a tokenizer but no weights gives seeded fresh weights. */
  @Test
  void randomWeightsNeedOnlyTheConfigAndAreDrawnFromTheSeed() throws Exception {
    Path folder = tmp.resolve("shape");
    TinyTokenizers.writeQwenStyle(folder);
    Files.writeString(folder.resolve("config.json"), HfMathGrpoTest.CONFIG);
    JobConfig job = TestJobs.read("seed: 5\nmodel: {max_seq_len: 128, weights: random}\ntask: {name: guess}\n",
        "random.yaml", "model.path=" + folder);
    try (JobModel model = JobModel.of(job);
         TransformerPolicy a = model.newPolicy(Device.cpu());
         TransformerPolicy b = HfModel.initialize(HfConfig.read(folder), 128, 5, Device.cpu(), DataType.FLOAT32)) {
      for (String name : b.parameters().keySet()) {
        assertArrayEquals(b.parameters().get(name).toFloatArray(), a.parameters().get(name).toFloatArray(), name);
      }
    }
    JobConfig load = TestJobs.read("model: {max_seq_len: 128}\ntask: {name: guess}\n", "load.yaml",
        "model.path=" + folder);
    try (JobModel model = JobModel.of(load)) {
      ConfigException e = assertThrows(ConfigException.class, () -> model.newPolicy(Device.cpu()).close());
      assertTrue(e.getMessage().startsWith("model.path"), e.getMessage());
    }
  }
}
