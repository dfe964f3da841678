package dev.asyncrl.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.gpu.ComputeThread;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The built-in model's two initialisations: the scale of each kind of weight. */
class GptInitTest {

  static final GptShape SHAPE = new GptShape(64, 2, 4, 256, 32);

  static double std(float[] v) {
    double mean = 0;
    for (float x : v) {
      mean += x;
    }
    mean /= v.length;
    double sq = 0;
    for (float x : v) {
      sq += (x - mean) * (x - mean);
    }
    return Math.sqrt(sq / v.length);
  }

  static double maxAbs(float[] v) {
    double m = 0;
    for (float x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }

  static float[] weight(TransformerPolicy p, String name) {
    return p.parameters().get(name).toFloatArray();
  }

  @Test
  void pytorchDrawsEachLayerAsItsModuleDefaultDoes() {
    ComputeThread.inferenceOnly();
    try (TransformerPolicy p = TransformerPolicy.initialize(SHAPE, 40, 1, Device.cpu(), DataType.FLOAT32,
        GptArchitecture.Init.PYTORCH)) {
      assertEquals(1.0, std(weight(p, "tok_emb")), 0.05, "token embeddings N(0, 1)");
      assertEquals(0.02, std(weight(p, "pos_emb")), 0.002, "positions N(0, 0.02)");
      double xavier = Math.sqrt(6.0 / (64 + 192));
      float[] qkv = weight(p, "blocks.0.attn.qkv.weight");
      assertTrue(maxAbs(qkv) <= xavier && maxAbs(qkv) > 0.95 * xavier, "q/k/v Xavier-uniform: " + maxAbs(qkv));
      assertEquals(xavier / Math.sqrt(3), std(qkv), 0.01);
      for (String name : new String[] {"blocks.1.attn.proj.weight", "blocks.1.mlp.fc.weight", "blocks.1.mlp.fc.bias",
          "lm_head.weight"}) {
        float[] w = weight(p, name);
        assertTrue(maxAbs(w) <= 1 / 8.0 && maxAbs(w) > 0.9 / 8.0, name + " U(±1/√64): " + maxAbs(w));
      }
      float[] down = weight(p, "blocks.0.mlp.proj.weight");
      assertTrue(maxAbs(down) <= 1 / 16.0 && maxAbs(down) > 0.95 / 16.0, "MLP output U(±1/√256): " + maxAbs(down));
      assertEquals(0, maxAbs(weight(p, "blocks.0.attn.qkv.bias")));
      assertEquals(0, maxAbs(weight(p, "blocks.0.attn.proj.bias")));
      assertArrayEquals(ones(64), weight(p, "blocks.0.ln1.weight"));
      assertEquals(0, maxAbs(weight(p, "ln_f.bias")));
    }
  }

  @Test
  void gpt2IsTheDefaultAndDrawsSmallNormals() {
    ComputeThread.inferenceOnly();
    try (TransformerPolicy byDefault = TransformerPolicy.initialize(SHAPE, 40, 1, Device.cpu(), DataType.FLOAT32);
         TransformerPolicy gpt2 = TransformerPolicy.initialize(SHAPE, 40, 1, Device.cpu(), DataType.FLOAT32,
             GptArchitecture.Init.GPT2)) {
      for (String name : byDefault.parameters().keySet()) {
        assertArrayEquals(weight(byDefault, name), weight(gpt2, name), name);
      }
      assertEquals(0.02, std(weight(gpt2, "tok_emb")), 0.002);
      assertEquals(0.01, std(weight(gpt2, "blocks.0.mlp.proj.weight")), 0.001, "residual projections 0.02/√(2·2)");
      assertEquals(0, maxAbs(weight(gpt2, "blocks.0.mlp.fc.bias")));
    }
  }

  private static float[] ones(int n) {
    float[] v = new float[n];
    Arrays.fill(v, 1f);
    return v;
  }
}
