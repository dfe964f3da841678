package dev.asyncrl.model;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.gpu.ComputeThread;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class TransformerPolicyTest {

  static final GptShape SMALL = new GptShape(32, 2, 4, 64, 24);
  static final int VOCAB = 16;

  @BeforeAll
  static void noGrad() {
    ComputeThread.inferenceOnly();
  }

  static TransformerPolicy policy(long seed) {
    return TransformerPolicy.initialize(SMALL, VOCAB, seed, Device.cpu(), DataType.FLOAT32);
  }

  public static float[] fullLogProbs(TransformerPolicy p, int[] prompt, int[] response, double temperature) {
    long[] seq = new long[prompt.length + response.length];
    for (int i = 0; i < prompt.length; i++) {
      seq[i] = prompt[i];
    }
    for (int i = 0; i < response.length; i++) {
      seq[prompt.length + i] = response[i];
    }
    try (NDScope ignored = new NDScope()) {
      NDArray tokens = p.manager().create(seq, new Shape(1, seq.length));
      float[] all = p.nextTokenLogProbs(tokens, temperature).toFloatArray();
      float[] out = new float[response.length];
      System.arraycopy(all, prompt.length - 1, out, 0, response.length);
      return out;
    }
  }

  @Test
  void kvCacheSamplingRecordsTheSameLogProbsAsAWholeSequenceForward() {
    try (TransformerPolicy p = policy(1)) {
      int[][] prompts = {{2, 5, 7, 3}, {4, 4, 9, 3}, {2, 2, 2, 3}};
      SamplingParams params = new SamplingParams(10, 0.7, 0, 1.0, new int[] {CharTokenizer.EOS});
      Generation g = Sampler.generate(p, prompts, params, new SplittableRandom(3));
      for (int b = 0; b < prompts.length; b++) {
        float[] expected = fullLogProbs(p, prompts[b], g.tokens()[b], 0.7);
        assertArrayEquals(expected, g.logProbs()[b], 1e-4f, "row " + b);
      }
    }
  }

  @Test
  void promptsOfDifferentLengthsRecordTheLogProbsOfTheirUnpaddedSequence() {
    try (TransformerPolicy p = policy(4)) {
      int[][] prompts = {{2, 5, 7, 3}, {4, 3}, {9, 9, 2, 2, 2, 3}};
      SamplingParams params = new SamplingParams(8, 0.9, 0, 1.0, new int[] {CharTokenizer.EOS});
      Generation g = Sampler.generate(p, prompts, params, new SplittableRandom(8));
      for (int b = 0; b < prompts.length; b++) {
        assertArrayEquals(fullLogProbs(p, prompts[b], g.tokens()[b], 0.9), g.logProbs()[b], 1e-4f, "row " + b);
      }
    }
  }

  @Test
  void rowsStopAtTheirOwnStopTokenAndKeepIt() {
    try (TransformerPolicy p = policy(2)) {
      int[][] prompts = new int[16][];
      for (int i = 0; i < 16; i++) {
        prompts[i] = new int[] {2, 3};
      }
      // With every token a stop token, each row is exactly one token long.
      int[] all = new int[VOCAB];
      for (int i = 0; i < VOCAB; i++) {
        all[i] = i;
      }
      Generation g = Sampler.generate(p, prompts, new SamplingParams(8, 1.0, 0, 1.0, all), new SplittableRandom(1));
      for (int[] row : g.tokens()) {
        assertEquals(1, row.length);
      }
      Generation free = Sampler.generate(p, prompts, new SamplingParams(8, 1.0, 0, 1.0, new int[] {}),
          new SplittableRandom(1));
      for (int[] row : free.tokens()) {
        assertEquals(8, row.length);
      }
    }
  }

  @Test
  void topKOneIsGreedy() {
    try (TransformerPolicy p = policy(3)) {
      int[][] prompts = {{5, 6, 7}};
      SamplingParams greedy = new SamplingParams(6, 1.0, 1, 1.0, new int[] {});
      Generation a = Sampler.generate(p, prompts, greedy, new SplittableRandom(1));
      Generation b = Sampler.generate(p, prompts, greedy, new SplittableRandom(99));
      assertArrayEquals(a.tokens()[0], b.tokens()[0]);
      float[] lp = fullLogProbs(p, prompts[0], a.tokens()[0], 1.0);
      // Greedy picks the arg-max: its probability is at least 1/V at every step.
      for (float v : lp) {
        assertTrue(v >= Math.log(1.0 / VOCAB) - 1e-6, "greedy token log-prob " + v);
      }
    }
  }

  @Test
  void sameSeedSameWeightsSameSamples() {
    try (TransformerPolicy p = policy(4); TransformerPolicy q = policy(4)) {
      int[][] prompts = {{2, 3, 4}, {5, 6, 7}};
      SamplingParams params = new SamplingParams(6, 1.0, 0, 0.9, new int[] {1});
      Generation a = Sampler.generate(p, prompts, params, new SplittableRandom(7));
      Generation b = Sampler.generate(q, prompts, params, new SplittableRandom(7));
      assertArrayEquals(a.tokens()[1], b.tokens()[1]);
      assertArrayEquals(a.logProbs()[1], b.logProbs()[1]);
    }
  }

  @Test
  void samplingLeavesNoNativeArraysBehind() {
    try (TransformerPolicy p = policy(5)) {
      int[][] prompts = {{2, 3, 4}, {5, 6, 7}};
      SamplingParams params = new SamplingParams(8, 1.0, 0, 1.0, new int[] {1});
      Sampler.generate(p, prompts, params, new SplittableRandom(1));
      int before = p.managedArrayCount();
      for (int i = 0; i < 20; i++) {
        Sampler.generate(p, prompts, params, new SplittableRandom(i));
      }
      assertEquals(before, p.managedArrayCount());
    }
  }

  @Test
  void copiedWeightsAreIndependentAndLoadRestoresOutputs(@TempDir Path dir) {
    try (TransformerPolicy a = policy(6); TransformerPolicy b = policy(7); NDManager m = NDManager.newBaseManager()) {
      int[] prompt = {2, 3, 4, 5};
      int[] response = {6, 7, 1};
      float[] aOut = fullLogProbs(a, prompt, response, 1.0);
      assertFalse(java.util.Arrays.equals(aOut, fullLogProbs(b, prompt, response, 1.0)));
      NDList snapshot = a.copyWeights(m);
      b.loadWeights(snapshot);
      assertArrayEquals(aOut, fullLogProbs(b, prompt, response, 1.0));
      // Changing the source afterwards does not reach the copy.
      a.parameters().get("lm_head.weight").muli(3);
      assertArrayEquals(aOut, fullLogProbs(b, prompt, response, 1.0));
      // Safetensors round trip.
      Path file = dir.resolve("policy.safetensors");
      PolicyCheckpoint.save(a, file);
      try (TransformerPolicy c = policy(8)) {
        PolicyCheckpoint.load(c, file);
        assertArrayEquals(fullLogProbs(a, prompt, response, 1.0), fullLogProbs(c, prompt, response, 1.0));
      }
    }
  }

  @Test
  void loadingWeightsOfAnotherShapeNamesTheParameter(@TempDir Path dir) {
    try (TransformerPolicy a = policy(1);
         TransformerPolicy wide = TransformerPolicy.initialize(new GptShape(64, 2, 4, 64, 24), VOCAB, 1,
             Device.cpu(), DataType.FLOAT32)) {
      Path file = dir.resolve("wide.safetensors");
      PolicyCheckpoint.save(wide, file);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PolicyCheckpoint.load(a, file));
      assertTrue(e.getMessage().contains("wide.safetensors") && e.getMessage().contains("tok_emb"), e.getMessage());
    }
  }
}
