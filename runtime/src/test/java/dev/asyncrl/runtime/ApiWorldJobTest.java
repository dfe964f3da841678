package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.core.JsonLines;
import dev.asyncrl.core.config.ConfigSource;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.model.hf.HfConfig;
import dev.asyncrl.model.hf.HfModel;
import dev.asyncrl.model.hf.TensorDType;
import dev.asyncrl.model.hf.TinyTokenizers;
import dev.asyncrl.trainer.StepReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * apiworld end to end: a tiny Qwen2-shaped checkpoint with a byte-level tokenizer and Qwen2.5's real chat
 * template, the functions of one app described in the system turn, a supervised warm-up on the reference
 * solutions, episodes played and trained.
 */
class ApiWorldJobTest {

  @TempDir
  Path tmp;

  @Test
  void apiworldTrainsATinyQwenWithItsFunctionsInTheSystemTurn() throws Exception {
    // The tiny byte-level tokenizer spends a token per byte, so the test gives the model one app (5 functions,
    // ~2,100 tokens of prompt) and a longer context than the other tiny checkpoints.
    Path model = tmp.resolve("tiny-qwen2");
    TinyTokenizers.writeQwenStyle(model);
    String config = HfMathGrpoTest.CONFIG.replace("\"max_position_embeddings\": 2048", "\"max_position_embeddings\": 4096");
    try (TransformerPolicy p = HfModel.initialize(HfConfig.parse(config, "test config"), 128, 7, Device.cpu(),
        DataType.FLOAT32)) {
      HfModel.save(p, model, TensorDType.BF16, 40_000, null);
    }
    ConfigSource source = ConfigSource.fromString("""
        seed: 1
        model: {max_seq_len: 2400}
        task: {name: apiworld, params: {tier: 1, apps: notes}}
        rollout: {workers: 1, group_size: 2, groups_per_batch: 1, max_new_tokens: 6, max_turns: 2}
        trainer: {steps: 2, groups_per_step: 1, lr: 1.0e-3}
        sft: {steps: 1, batch: 2}
        """, "apiworld.yaml");
    source.override("model.path=" + model);
    JobConfig job = JobConfig.read(source, JobRunner.ALGORITHMS.jobSchema());
    try (JobModel jobModel = JobModel.of(job)) {
      String prompt = jobModel.prompting().text("Task: x");
      assertTrue(prompt.contains("<tools>") && prompt.contains("\"name\": \"create_note\"")
          && prompt.contains("\"name\": \"complete_task\""), prompt);
    }
    List<StepReport> reports = new ArrayList<>();
    JobRunner.Outcome outcome = JobRunner.train(job, JobRunner.Options.of(job).withRunDir(tmp.resolve("run"))
        .withListener(reports::add), l -> {});
    assertEquals(2, outcome.lastStep());
    // The warm-up's demonstrations, the reference solutions played as tool calls through the template, earn 1.
    List<JsonLines.Line> sft = JsonLines.read(tmp.resolve("run").resolve("sft.jsonl"));
    assertEquals(1, sft.size());
    for (JsonLines.Line line : sft) {
      assertEquals(1.0, line.value().get("sft/reward_mean").asDouble(), 1e-12, line.value().toString());
      assertTrue(line.value().get("sft/tokens").asDouble() > 0);
    }
    assertTrue(reports.stream().flatMap(r -> r.trained().stream()).allMatch(g -> g.taskName().equals("apiworld")));
  }
}
