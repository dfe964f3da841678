package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.core.config.ConfigSource;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.PolicyCheckpoint;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.model.hf.HfModel;
import dev.asyncrl.model.hf.TensorDType;
import dev.asyncrl.model.hf.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Load a Hugging Face folder, train a few steps, save it as a folder again, load that: identical logits. */
class HfRoundTripTest {

  @TempDir
  Path tmp;

  private JobConfig job(Path model, String... overrides) throws Exception {
    ConfigSource source = ConfigSource.fromString("""
        seed: 2
        model: {max_seq_len: 48}
        task: {name: math, prompt_template: "{question}=", system_prompt: "Add."}
        rollout: {workers: 1, group_size: 4, groups_per_batch: 4, max_new_tokens: 2}
        trainer: {steps: 4, groups_per_step: 4, lr: 1.0e-2, weight_decay: 0.1}
        """, "test.yaml");
    // Weight decay changes the weights even when every sampled group has equal rewards (zero advantages),
    // which a random tiny model often gives; the test is about the round trip, not about learning.
    source.override("model.path=" + model);
    source.override("task.data=" + HfMathGrpoTest.problems(tmp.resolve("train.jsonl"), 50, 3));
    for (String o : overrides) {
      source.override(o);
    }
    return JobConfig.from(JobRunner.ALGORITHMS.jobSchema().resolve(source));
  }

  private static void train(JobConfig job, Path runDir, java.util.function.Consumer<dev.asyncrl.trainer.StepReport> listener)
      throws InterruptedException {
    JobRunner.train(job, JobRunner.Options.of(job).withRunDir(runDir).withListener(listener), line -> {});
  }

  /** Every weight of {@code loaded} (read from a bf16 folder) is the float32 weight rounded to bf16, nearest even. */
  private static void assertBf16Of(java.util.Map<String, ai.djl.ndarray.NDArray> weights, TransformerPolicy loaded) {
    assertEquals(weights.keySet(), loaded.parameters().keySet());
    weights.forEach((name, w) -> {
      float[] f32 = w.toFloatArray();
      for (int i = 0; i < f32.length; i++) {
        int bits = Float.floatToRawIntBits(f32[i]);
        f32[i] = Float.intBitsToFloat((bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000);
      }
      assertArrayEquals(f32, loaded.parameters().get(name).toFloatArray(), 0f, name);
    });
  }

  /** Every tensor of the model folder {@code dir} is stored as {@code type}, and config.json says so. */
  private static void assertStoredAs(TensorDType type, Path dir) throws Exception {
    try (SafetensorsFile weights = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
      assertTrue(weights.tensors().values().stream().allMatch(t -> t.dtype() == type), dir + " is not all " + type);
    }
    assertEquals(type.torchName(),
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("config.json").toFile()).get("torch_dtype").asText());
  }

  private static float[] logits(TransformerPolicy p) {
    try (NDManager m = NDManager.newBaseManager()) {
      return p.forward(m.create(new long[] {60, 43, 52, 61, 1, 2, 3}, new Shape(1, 7)), null).toFloatArray();
    }
  }

  @Test
  void fullFineTuning() throws Exception {
    Path model = HfMathGrpoTest.tinyQwen(tmp.resolve("tiny-qwen2"));
    Path run = tmp.resolve("run");
    train(job(model), run, r -> {});
    Path f32 = tmp.resolve("export-f32");
    ModelExport.fromCheckpoint(run, Optional.of(4), Optional.of(TensorDType.F32), Optional.of(f32), line -> {});
    ComputeThread.inferenceOnly();
    // The run's own model/ is stored like the source model (bf16); the float32 export is exact.
    assertStoredAs(TensorDType.BF16, run.resolve("model"));
    assertStoredAs(TensorDType.F32, f32);
    try (TransformerPolicy initial = HfModel.load(model, Device.cpu(), DataType.FLOAT32, 48);
         TransformerPolicy trained = HfModel.load(model, Device.cpu(), DataType.FLOAT32, 48);
         TransformerPolicy saved = HfModel.load(run.resolve("model"), Device.cpu(), DataType.FLOAT32, 48);
         TransformerPolicy exported = HfModel.load(f32, Device.cpu(), DataType.FLOAT32, 48)) {
      PolicyCheckpoint.load(trained, run.resolve("checkpoints/step-4/policy.safetensors"));
      float[] expected = logits(trained);
      assertFalse(Arrays.equals(logits(initial), expected), "4 steps at lr 1e-2 changed the model");
      assertArrayEquals(expected, logits(exported), 0f, "the float32 export is the trained model, bit for bit");
      assertBf16Of(trained.mergedWeights(), saved);
      assertTrue(Files.exists(run.resolve("model/tokenizer.json")) && Files.exists(run.resolve("model/tokenizer_config.json")));
    }
  }

  @Test
  void loraSavesOnlyTheAdapterAndOptionallyTheMergedModel() throws Exception {
    Path model = HfMathGrpoTest.tinyQwen(tmp.resolve("tiny-qwen2"));
    Path run = tmp.resolve("run");
    // B = 0 at the start, so only a real gradient (a group with unequal rewards) moves the adapters' output; with
    // this seed the random model answers some sums right in the first steps.
    double[] rewarded = new double[1];
    train(job(model, "lora.rank=4", "lora.targets=q_proj,v_proj", "lora.save_merged=true", "seed=2"), run,
        r -> rewarded[0] += r.metrics().get("rollout/reward_mean"));
    assertTrue(rewarded[0] > 0, "no response was rewarded, so nothing could be learned: choose another seed");
    ComputeThread.inferenceOnly();
    try (SafetensorsFile checkpoint = SafetensorsFile.open(run.resolve("checkpoints/step-4/policy.safetensors"))) {
      assertEquals(2 * 2 * 2, checkpoint.tensors().size(), "A and B of q_proj and v_proj in 2 layers, nothing else");
      assertTrue(checkpoint.tensors().keySet().stream().allMatch(n -> n.contains(".lora_")));
    }
    assertTrue(Files.exists(run.resolve("adapter/adapter_config.json")));
    try (TransformerPolicy initial = HfModel.load(model, Device.cpu(), DataType.FLOAT32, 48);
         TransformerPolicy adapted = HfModel.load(model, Device.cpu(), DataType.FLOAT32, 48);
         TransformerPolicy merged = HfModel.load(run.resolve("model"), Device.cpu(), DataType.FLOAT32, 48)) {
      HfModel.loadAdapter(adapted, run.resolve("adapter"));
      float[] expected = logits(adapted);
      assertFalse(Arrays.equals(logits(initial), expected), "the adapters were trained");
      try (NDScope ignored = new NDScope()) {
        assertBf16Of(adapted.mergedWeights(), merged); // merged weights = base + adapter, stored as bf16
      }
    }
    // asyncrl export of the newest checkpoint in float32: the merged model exactly, and the adapters beside it.
    Path f32 = tmp.resolve("lora-f32");
    ModelExport.fromCheckpoint(run, Optional.empty(), Optional.of(TensorDType.F32), Optional.of(f32), line -> {});
    assertTrue(Files.exists(f32.resolve("adapter/adapter_config.json")));
    try (TransformerPolicy adapted = HfModel.load(model, Device.cpu(), DataType.FLOAT32, 48);
         TransformerPolicy merged = HfModel.load(f32, Device.cpu(), DataType.FLOAT32, 48)) {
      HfModel.loadAdapter(adapted, run.resolve("adapter"));
      assertArrayEquals(logits(adapted), logits(merged), 1e-5f, "merged weights = base + adapter");
    }
  }
}
