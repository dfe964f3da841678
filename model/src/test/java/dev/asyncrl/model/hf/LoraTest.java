package dev.asyncrl.model.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.LoraSpec;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.TransformerPolicy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraTest {

  @TempDir
  Path tmp;

  static final LoraSpec SPEC = new LoraSpec(4, 8, 0.0, List.of("q_proj", "v_proj", "down_proj"));

  @BeforeAll
  static void inference() {
    ComputeThread.inferenceOnly();
  }

  private static float[] logits(TransformerPolicy p, NDManager m) {
    return p.forward(m.create(new long[] {4, 8, 15, 16, 23, 42}, new Shape(1, 6)), null).toFloatArray();
  }

  /** Stands in for training: gives every B a non-zero value, so the adapters change the output. */
  private static void perturb(TransformerPolicy p) {
    for (NDArray b : p.parameters().values()) {
      if (b.getName().endsWith("lora_B.weight")) {
        try (NDArray r = b.getManager().randomNormal(0, 0.05f, b.getShape(), b.getDataType())) {
          b.addi(r);
        }
      }
    }
  }

  @Test
  void adaptersAreTheOnlyTrainedParametersAndStartAtTheBaseModel() throws Exception {
    Path dir = TinyCheckpoints.writeCase(tmp, "llama3-f32");
    try (TransformerPolicy p = HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 0);
         NDManager m = NDManager.newBaseManager()) {
      float[] base = logits(p, m);
      long all = p.parameterCount();
      p.enableLora(SPEC, 1);
      p.setTrainable(true);
      assertEquals(2 * 3 * 2, p.parameters().size(), "A and B for 3 targets in 2 layers");
      assertTrue(p.parameters().keySet().stream().allMatch(n -> n.matches("model\\.layers\\.\\d\\.(self_attn\\."
          + "[qv]_proj|mlp\\.down_proj)\\.lora_[AB]\\.weight")), p.parameters().keySet().toString());
      assertTrue(p.baseParameters().values().stream().noneMatch(NDArray::hasGradient), "the base is frozen");
      assertTrue(p.trainableParameterCount() < all / 10);
      assertArrayEquals(base, logits(p, m), 0f, "B = 0: the adapted model is the base model");
      try (PolicyWeights published = PolicyWeights.copyOf(p)) {
        assertEquals(p.parameters().size(), published.arrays().size(), "only adapters are published to workers");
      }
    }
  }

  @Test
  void mergedAndAdapterFoldersReproduceTheAdaptedModel() throws Exception {
    Path dir = TinyCheckpoints.writeCase(tmp, "qwen2-bf16-sharded");
    try (TransformerPolicy p = HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 0);
         NDManager m = NDManager.newBaseManager()) {
      float[] base = logits(p, m);
      p.enableLora(SPEC, 1);
      perturb(p);
      float[] adapted = logits(p, m);
      assertFalse(java.util.Arrays.equals(base, adapted));
      HfModel.save(p, tmp.resolve("merged"), TensorDType.F32, 1 << 30, dir);
      HfModel.saveAdapter(p, tmp.resolve("adapter"), dir);
      try (TransformerPolicy merged = HfModel.load(tmp.resolve("merged"), Device.cpu(), DataType.FLOAT32, 0)) {
        assertArrayEquals(adapted, logits(merged, m), 1e-5f, "W + (α/r)·B·A");
      }
      try (TransformerPolicy again = HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 0)) {
        HfModel.loadAdapter(again, tmp.resolve("adapter"));
        assertArrayEquals(adapted, logits(again, m), 0f, "base + saved adapter");
      }
    }
  }

  @Test
  void targetsThatMatchNothingAreNamed() throws Exception {
    Path dir = TinyCheckpoints.writeCase(tmp, "llama3-f32");
    try (TransformerPolicy p = HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 0)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> p.enableLora(new LoraSpec(2, 4, 0, List.of("qkv")), 0));
      assertEquals("lora.targets [qkv] match no projection of this model; its projections are [down_proj, "
          + "gate_proj, k_proj, lm_head, o_proj, q_proj, up_proj, v_proj]", e.getMessage());
    }
  }
}
