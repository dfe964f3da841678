package dev.asyncrl.model.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.SlotKvCache;
import dev.asyncrl.model.TransformerPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiny Qwen2- and Llama-shaped checkpoints (sharded bf16, single-file f32, yarn and llama3 rope scaling),
 * loaded through the real folder reader, against logits from the independent PyTorch implementation in
 * {@code src/test/python/llama_goldens.py}.
 */
class LlamaGoldenTest {

  @TempDir
  Path tmp;

  @BeforeAll
  static void inference() {
    ComputeThread.inferenceOnly();
  }

  @Test
  void logitsMatchTheIndependentPyTorchImplementation() throws Exception {
    JsonNode goldens = TinyCheckpoints.goldens();
    long[] ids = TinyCheckpoints.tokens(goldens);
    int rows = goldens.get("tokens").size();
    int cols = goldens.get("tokens").get(0).size();
    for (JsonNode c : goldens.get("cases")) {
      for (boolean decodingLayout : new boolean[] {false, true}) {
        String name = c.get("name").asText() + (decodingLayout ? " (laid out for decoding)" : "");
        Path dir = TinyCheckpoints.writeCase(tmp, c.get("name").asText());
        try (TransformerPolicy policy = HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 0);
             NDManager m = NDManager.newBaseManager()) {
          if (decodingLayout) {
            policy.prepareForDecoding();
          }
          float[] logits = policy.forward(m.create(ids, new Shape(rows, cols)), null).toFloatArray();
          JsonNode expected = c.get("logits");
          int vocab = expected.get(0).get(0).size();
          double worst = 0;
          for (int r = 0; r < rows; r++) {
            for (int t = 0; t < cols; t++) {
              double scale = 0;
              for (int v = 0; v < vocab; v++) {
                scale = Math.max(scale, Math.abs(expected.get(r).get(t).get(v).asDouble()));
              }
              for (int v = 0; v < vocab; v++) {
                double want = expected.get(r).get(t).get(v).asDouble();
                double got = logits[(r * cols + t) * vocab + v];
                worst = Math.max(worst, Math.abs(got - want) / scale);
              }
            }
          }
          assertTrue(worst <= 1e-4, name + ": worst error relative to the position's largest logit " + worst);
        }
      }
    }
  }

  @Test
  void shardedBf16FolderHasAnIndexAndShards() throws Exception {
    Path dir = TinyCheckpoints.writeCase(tmp, "qwen2-bf16-sharded");
    assertTrue(Files.exists(dir.resolve(SafetensorsWriter.INDEX)));
    try (var files = Files.list(dir)) {
      assertTrue(files.filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")).count() > 1);
    }
    try (CheckpointFiles files = CheckpointFiles.open(dir)) {
      assertEquals(TensorDType.BF16, files.tensors().get("model.norm.weight").dtype());
    }
  }

  @Test
  void cachedDecodingAndLeftPaddingGiveTheWholeSequenceLogits() throws Exception {
    cachedDecodingAndLeftPadding("llama3-f32", false);
  }

  /** The decoding layout (transposed, q/k/v and gate/up fused; tied embedding included) on the cached path. */
  @Test
  void theDecodingLayoutGivesTheSameLogitsOnTheCachedPath() throws Exception {
    cachedDecodingAndLeftPadding("llama3-f32", true);
    cachedDecodingAndLeftPadding("qwen2-bf16-sharded", true);
  }

  private void cachedDecodingAndLeftPadding(String name, boolean decodingLayout) throws Exception {
    Path dir = TinyCheckpoints.writeCase(tmp, name);
    try (TransformerPolicy policy = HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 0);
         NDManager m = NDManager.newBaseManager()) {
      if (decodingLayout) {
        try (TransformerPolicy plain = HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 0)) {
          NDArray tokens = m.create(new long[] {5, 17, 42, 8, 91, 33}, new Shape(1, 6));
          NDArray before = plain.forward(tokens, null);
          policy.prepareForDecoding();
          assertClose(before, policy.forward(tokens, null));
        }
      }
      long[] seq = {5, 17, 42, 8, 91, 33};
      NDArray full = policy.forward(m.create(seq, new Shape(1, 6)), null);                    // [1, 6, V]
      // Prompt of 4 prefilled into the preallocated cache, then one token at a time.
      var arch = policy.architecture();
      try (SlotKvCache cache = new SlotKvCache(policy.manager(), arch.layers(), 1, arch.kvHeads(), arch.headDim(), 16, 4,
          DataType.FLOAT32)) {
        NDArray first = policy.forward(m.create(new long[] {5, 17, 42, 8}, new Shape(1, 4)), cache.prefill(new int[] {0}, new int[] {4}));
        NDArray fifth = policy.forward(m.create(new long[] {91}, new Shape(1, 1)), cache);
        NDArray sixth = policy.forward(m.create(new long[] {33}, new Shape(1, 1)), cache);
        assertClose(full.get(new NDIndex(":, :4, :")), first);
        assertClose(full.get(new NDIndex(":, 4:5, :")), fifth);
        assertClose(full.get(new NDIndex(":, 5:6, :")), sixth);
      }
      // The same sequence left-padded by 3 in a batch with an unpadded row: identical logits for its tokens.
      long[] batch = {0, 0, 0, 5, 17, 42, 8, 91, 33, 60, 2, 77, 14, 50, 23, 11, 3, 95};
      NDArray padded = policy.forward(m.create(batch, new Shape(2, 9)), null, new int[] {3, 0});
      assertClose(full, padded.get(new NDIndex("0:1, 3:, :")));
      NDArray alone = policy.forward(m.create(new long[] {60, 2, 77, 14, 50, 23, 11, 3, 95}, new Shape(1, 9)), null);
      assertClose(alone, padded.get(new NDIndex("1:2, :, :")));
    }
  }

  @Test
  void savedFolderLoadsToIdenticalLogits() throws Exception {
    Path dir = TinyCheckpoints.writeCase(tmp, "qwen2-yarn-f32-sharded");
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|im_end|>\"}");
    Path saved = tmp.resolve("saved");
    try (TransformerPolicy policy = HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 0);
         NDManager m = NDManager.newBaseManager()) {
      List<Path> files = HfModel.save(policy, saved, TensorDType.F32, 1 << 30, dir);
      assertTrue(files.contains(saved.resolve("tokenizer_config.json")));
      assertEquals(HfConfig.read(dir), HfConfig.read(saved));
      NDArray tokens = m.create(new long[] {4, 8, 15, 16, 23, 42}, new Shape(1, 6));
      float[] before = policy.forward(tokens, null).toFloatArray();
      try (TransformerPolicy reloaded = HfModel.load(saved, Device.cpu(), DataType.FLOAT32, 0)) {
        assertArrayEquals(before, reloaded.forward(tokens, null).toFloatArray());
      }
    }
  }

  private static void assertClose(NDArray expected, NDArray actual) {
    assertEquals(expected.getShape(), actual.getShape());
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], 1e-4 * Math.max(1, Math.abs(e[i])), "element " + i);
    }
  }
}
