package dev.asyncrl.model.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.Generation;
import dev.asyncrl.model.Sampler;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.model.TransformerPolicyTest;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batched sampling under grouped-query attention with prompts of different lengths in one batch. */
class LlamaSamplingTest {

  @TempDir
  Path tmp;

  @BeforeAll
  static void inference() {
    ComputeThread.inferenceOnly();
  }

  @Test
  void raggedBatchRecordsTheLogProbsTheTrainerRecomputes() throws Exception {
    Path dir = TinyCheckpoints.writeCase(tmp, "qwen2-bf16-sharded");
    try (TransformerPolicy p = HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 64)) {
      int[][] prompts = {{5, 17, 42}, {11, 3, 95, 64, 27, 7, 88}, {9}, {60, 61, 62, 63, 64}};
      SamplingParams params = new SamplingParams(12, 0.8, 0, 1.0, new int[] {2});
      Generation g = Sampler.generate(p, prompts, params, new SplittableRandom(5));
      for (int b = 0; b < prompts.length; b++) {
        assertTrue(g.tokens()[b].length > 0);
        float[] expected = TransformerPolicyTest.fullLogProbs(p, prompts[b], g.tokens()[b], 0.8);
        assertArrayEquals(expected, g.logProbs()[b], 2e-4f, "row " + b);
      }
      // A row sampled alone draws the same tokens when given the same random stream position.
      Generation alone = Sampler.generate(p, new int[][] {prompts[0]}, new SamplingParams(12, 1.0, 1, 1.0, new int[] {2}),
          new SplittableRandom(1));
      Generation batched = Sampler.generate(p, prompts, new SamplingParams(12, 1.0, 1, 1.0, new int[] {2}),
          new SplittableRandom(1));
      assertArrayEquals(alone.tokens()[0], batched.tokens()[0], "greedy (top-k 1) decoding ignores the padding of other rows");
    }
  }
}
