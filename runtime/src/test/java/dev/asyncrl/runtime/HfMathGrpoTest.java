package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.core.config.ConfigSource;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.model.hf.HfConfig;
import dev.asyncrl.model.hf.HfModel;
import dev.asyncrl.model.hf.TensorDType;
import dev.asyncrl.model.hf.TinyTokenizers;
import dev.asyncrl.trainer.StepReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GRPO end to end on a tiny Qwen2-shaped model folder (random weights, saved sharded in bf16, with a
 * byte-level BPE tokenizer and Qwen2.5's chat template) and the math task on a synthetic arithmetic JSONL.
 */
class HfMathGrpoTest {

  @TempDir
  Path tmp;

  static final String CONFIG = """
      {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 272, "hidden_size": 64,
       "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
       "hidden_act": "silu", "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "max_position_embeddings": 2048,
       "tie_word_embeddings": true, "eos_token_id": 260}
      """;

  /** A model folder: fresh weights saved as sharded bf16, the tokenizer, and the chat template. */
  static Path tinyQwen(Path dir) throws Exception {
    TinyTokenizers.writeQwenStyle(dir);
    try (TransformerPolicy p = HfModel.initialize(HfConfig.parse(CONFIG, "test config"), 128, 7, Device.cpu(),
        DataType.FLOAT32)) {
      HfModel.save(p, dir, TensorDType.BF16, 40_000, null);
    }
    return dir;
  }

  /** Single-digit sums, GSM8K-style: {"question": "3+4", "answer": "3+4=7\n#### 7"}. */
  static Path problems(Path file, int n, long seed) throws Exception {
    SplittableRandom rng = new SplittableRandom(seed);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int a = rng.nextInt(5);
      int b = rng.nextInt(5);
      lines.add("{\"question\": \"" + a + "+" + b + "\", \"answer\": \"" + a + "+" + b + "=" + (a + b) + "\\n#### "
          + (a + b) + "\"}");
    }
    Files.write(file, lines);
    return file;
  }

  @Test
  void rewardIncreasesOnSyntheticArithmetic() throws Exception {
    Path model = tinyQwen(tmp.resolve("tiny-qwen2"));
    Path train = problems(tmp.resolve("train.jsonl"), 200, 1);
    Path eval = problems(tmp.resolve("eval.jsonl"), 16, 2);
    ConfigSource source = ConfigSource.fromString("""
        seed: 1
        max_staleness: 1
        model: {max_seq_len: 48}
        task: {name: math, prompt_template: "{question}=", system_prompt: "Add.", eval_every: 100}
        rollout: {workers: 1, group_size: 8, groups_per_batch: 8, max_new_tokens: 2}
        trainer: {steps: 200, groups_per_step: 8, lr: 3.0e-3}
        """, "test.yaml");
    source.override("model.path=" + model);
    source.override("task.data=" + train);
    source.override("task.eval_data=" + eval);
    JobConfig job = JobConfig.from(JobRunner.ALGORITHMS.jobSchema().resolve(source));
    List<StepReport> reports = new ArrayList<>();
    JobRunner.train(job, JobRunner.Options.of(job).withRunDir(tmp.resolve("run")).withListener(reports::add), line -> {});
    assertEquals(200, reports.size());
    double first = meanReward(reports.subList(0, 30));
    double last = meanReward(reports.subList(170, 200));
    assertTrue(last > first + 0.15, "reward went from " + first + " to " + last);
    assertTrue(reports.get(99).metrics().containsKey("eval/accuracy"), "evaluated at step 100");
    assertEquals(16.0, reports.get(199).metrics().get("eval/problems"));
  }

  /** The shipped GSM8K config, pointed at the tiny model and a few problems, on the CPU, for two steps. */
  @Test
  void theShippedGsm8kConfigRuns() throws Exception {
    Path model = tinyQwen(tmp.resolve("tiny-qwen2"));
    Path problems = problems(tmp.resolve("gsm8k.jsonl"), 10, 3);
    List<String> overrides = List.of("model.path=" + model, "task.data=" + problems, "task.eval_data=" + problems,
        "task.eval_every=2", "devices.trainer=cpu", "devices.rollout=cpu", "devices.threads=1", "trainer.steps=2",
        "trainer.groups_per_step=2", "rollout.groups_per_batch=2", "rollout.group_size=2", "rollout.max_new_tokens=4");
    JobConfig job = JobRunner.load(Path.of(System.getProperty("user.dir")).getParent()
        .resolve("configs/gsm8k-qwen2.5-0.5b.yaml"), overrides);
    List<StepReport> reports = new ArrayList<>();
    JobRunner.train(job, JobRunner.Options.of(job).withRunDir(tmp.resolve("run")).withListener(reports::add), line -> {});
    assertEquals(2, reports.size());
    assertEquals(10.0, reports.get(1).metrics().get("eval/problems"));
    assertTrue(Files.exists(tmp.resolve("run/model/config.json")), "the trained model is saved as a model folder");
  }

  static double meanReward(List<StepReport> reports) {
    return reports.stream().mapToDouble(r -> r.metrics().get("rollout/reward_mean")).average().orElseThrow();
  }
}
