package dev.asyncrl.model;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.gpu.ComputeThread;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Device sampling, the preallocated cache and continuous batching on a real (tiny) model. */
class GenerationEngineTest {

  static final GptShape SMALL = new GptShape(32, 2, 4, 64, 40);
  static final int VOCAB = 16;
  static final int STOP = 1;

  @BeforeAll
  static void noAutograd() {
    ComputeThread.inferenceOnly();
  }

  static TransformerPolicy model(long seed) {
    return TransformerPolicy.initialize(SMALL, VOCAB, seed, Device.cpu(), DataType.FLOAT32);
  }

  /** The exact truncated, tempered distribution of {@code logits}, computed on the host in double. */
  static double[] expected(float[] logits, SamplingParams p) {
    int v = logits.length;
    double[] logp = new double[v];
    double max = Double.NEGATIVE_INFINITY;
    for (float z : logits) {
      max = Math.max(max, z / p.temperature());
    }
    double sum = 0;
    for (int i = 0; i < v; i++) {
      sum += Math.exp(logits[i] / p.temperature() - max);
    }
    Integer[] order = new Integer[v];
    for (int i = 0; i < v; i++) {
      logp[i] = logits[i] / p.temperature() - max - Math.log(sum);
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(logp[b], logp[a]));
    double[] out = new double[v];
    double before = 0;
    for (int r = 0; r < v; r++) {
      boolean inK = p.topK() == 0 || r < p.topK();
      if (inK && before < p.topP()) {
        out[order[r]] = Math.exp(logp[order[r]]);
      }
      before += Math.exp(logp[order[r]]);
    }
    double kept = java.util.Arrays.stream(out).sum();
    for (int i = 0; i < v; i++) {
      out[i] /= kept;
    }
    return out;
  }

  @Test
  void deviceSamplingDrawsTheExactTruncatedDistributionAndRecordsTheTemperedLogProb() {
    float[] logits = {2.0f, 1.5f, 1.2f, 0.3f, 0.1f, -0.4f, -1.0f, -2.5f};
    SplittableRandom rng = new SplittableRandom(11);
    for (SamplingParams p : List.of(new SamplingParams(1, 1.0, 0, 1.0, new int[0]),
        new SamplingParams(1, 0.7, 5, 1.0, new int[0]), new SamplingParams(1, 1.3, 0, 0.8, new int[0]),
        new SamplingParams(1, 1.0, 4, 0.9, new int[0]), new SamplingParams(1, 1.0, 0, 0.3, new int[0]),
        new SamplingParams(1, 1.0, 1, 1.0, new int[0]))) {
      double[] want = expected(logits, p);
      int rows = 4000;
      int rounds = 5;
      long[] counts = new long[logits.length];
      try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
        float[] batch = new float[rows * logits.length];
        for (int r = 0; r < rows; r++) {
          System.arraycopy(logits, 0, batch, r * logits.length, logits.length);
        }
        NDArray z = m.create(batch, new Shape(rows, logits.length));
        for (int round = 0; round < rounds; round++) {
          // Half the rounds invert in blocks of 3 tokens (the last one padded), as a large vocabulary is.
          int block = round % 2 == 0 ? DeviceSampler.BLOCK : 3;
          DeviceSampler.Draw d = DeviceSampler.sample(z, p, r -> (float) (1 - rng.nextDouble()), block);
          for (int r = 0; r < rows; r++) {
            int t = (int) d.tokens()[r];
            counts[t]++;
            double logp = logits[t] / p.temperature() - logSumExp(logits, p.temperature());
            assertEquals(logp, d.logProbs()[r], 1e-5, "behaviour log-prob of token " + t);
          }
        }
      }
      double chi = 0;
      int df = -1;
      long n = (long) rows * rounds;
      for (int i = 0; i < logits.length; i++) {
        if (want[i] == 0) {
          assertEquals(0, counts[i], "token " + i + " is outside top-k/top-p for " + p);
        } else {
          double e = want[i] * n;
          chi += (counts[i] - e) * (counts[i] - e) / e;
          df++;
        }
      }
      if (df > 0) { // with one kept token (greedy) every draw is that token, checked above
        double critical = new ChiSquaredDistribution(df).inverseCumulativeProbability(0.999);
        assertTrue(chi < critical, "chi-square " + chi + " >= " + critical + " for " + p);
      }
    }
  }

  static double logSumExp(float[] logits, double t) {
    double max = Double.NEGATIVE_INFINITY;
    for (float z : logits) {
      max = Math.max(max, z / t);
    }
    double s = 0;
    for (float z : logits) {
      s += Math.exp(z / t - max);
    }
    return max + Math.log(s);
  }

  static int[] prompt(int seed, int length) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] p = new int[length];
    for (int i = 0; i < length; i++) {
      p[i] = 2 + r.nextInt(VOCAB - 2);
    }
    return p;
  }

  /** Runs requests through an engine of {@code slots}, admitting each as soon as a slot is free. */
  static int lastCompactions;

  static Map<Object, GenerationEngine.Completion> run(TransformerPolicy policy, SamplingParams p, int slots,
      List<GenerationEngine.Request> requests) {
    Map<Object, GenerationEngine.Completion> out = new HashMap<>();
    try (GenerationEngine engine = new GenerationEngine(policy, p, slots, 12)) {
      int next = 0;
      while (next < requests.size() || !engine.idle()) {
        while (next < requests.size() && engine.freeSlots() > 0) {
          engine.start(List.of(requests.get(next++))).forEach(c -> out.put(c.tag(), c));
        }
        engine.step().forEach(c -> out.put(c.tag(), c));
      }
      lastCompactions = engine.compactions();
    }
    return out;
  }

  @Test
  void aSequenceIsTheSameAloneOrInAContinuousBatchWithOthersThroughSlotReuseAndCompaction() {
    SamplingParams p = new SamplingParams(20, 1.0, 0, 0.95, new int[] {STOP});
    List<GenerationEngine.Request> requests = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      requests.add(new GenerationEngine.Request(prompt(i, 3 + i % 9), 1000 + i, i));
    }
    try (TransformerPolicy policy = model(3)) {
      Map<Object, GenerationEngine.Completion> together = run(policy, p, 3, requests); // slots reused
      assertTrue(lastCompactions > 0, "the cache was compacted along the way");
      for (GenerationEngine.Request r : requests) {
        GenerationEngine.Completion alone = run(policy, p, 1, List.of(r)).get(r.tag());
        GenerationEngine.Completion mixed = together.get(r.tag());
        assertArrayEquals(alone.tokens(), mixed.tokens(), "request " + r.tag());
        assertArrayEquals(alone.logProbs(), mixed.logProbs(), 1e-5f, "request " + r.tag());
        // The recorded log-probs are the trainer's recomputation over prompt + response.
        assertArrayEquals(recompute(policy, r.prompt(), mixed.tokens()), mixed.logProbs(), 1e-4f);
      }
      assertTrue(together.values().stream().mapToInt(c -> c.tokens().length).distinct().count() > 3,
          "responses of different lengths");
    }
  }

  /** log π(token_t | prompt, tokens_<t) of each response token, from one whole-sequence forward. */
  static float[] recompute(TransformerPolicy policy, int[] prompt, int[] response) {
    try (NDScope ignored = new NDScope()) {
      long[] all = new long[prompt.length + response.length];
      for (int i = 0; i < prompt.length; i++) {
        all[i] = prompt[i];
      }
      for (int i = 0; i < response.length; i++) {
        all[prompt.length + i] = response[i];
      }
      float[] lp = policy.nextTokenLogProbs(policy.manager().create(all, new Shape(1, all.length)), 1.0).toFloatArray();
      return java.util.Arrays.copyOfRange(lp, prompt.length - 1, lp.length);
    }
  }

  @Test
  void newWeightsMidResponseAreUsedAtTheNextTokenAndEveryTokenRecordsItsVersion() {
    SamplingParams p = new SamplingParams(16, 1.0, 0, 1.0, new int[0]);
    try (TransformerPolicy policy = model(5); TransformerPolicy v0 = model(5); TransformerPolicy v1 = model(6)) {
      List<GenerationEngine.Completion> done = new ArrayList<>();
      try (GenerationEngine engine = new GenerationEngine(policy, p, 2, 12)) {
        engine.weightsChanged(0); // nothing in flight yet: only the version tag
        done.addAll(engine.start(List.of(new GenerationEngine.Request(prompt(1, 5), 7, "a"),
            new GenerationEngine.Request(prompt(1, 5), 8, "b"))));
        for (int i = 0; i < 6; i++) {
          done.addAll(engine.step());
        }
        try (PolicyWeights w = PolicyWeights.copyOf(v1)) {
          policy.loadWeights(w.arrays());
        }
        engine.weightsChanged(1);
        while (!engine.idle()) {
          done.addAll(engine.step());
        }
      }
      assertEquals(2, done.size());
      for (GenerationEngine.Completion c : done) {
        float[] under0 = recompute(v0, c.prompt(), c.tokens());
        float[] under1 = recompute(v1, c.prompt(), c.tokens());
        for (int t = 0; t < c.tokens().length; t++) {
          long expectedVersion = t < 7 ? 0 : 1; // the first token comes with the prefill, then 6 steps
          assertEquals(expectedVersion, c.versions()[t], "token " + t);
          float want = expectedVersion == 0 ? under0[t] : under1[t];
          assertEquals(want, c.logProbs()[t], 1e-4f, c.tag() + " token " + t);
        }
      }
    }
  }

  /** A slot left empty while another slot runs sequence after sequence must not count as a long sequence. */
  @Test
  void anIdleSlotDoesNotAgeWhileOtherSlotsKeepDecoding() {
    GptShape shortModel = new GptShape(32, 1, 2, 64, 12); // prompt 4 + 8 new tokens fit exactly
    SamplingParams p = new SamplingParams(8, 1.0, 0, 1.0, new int[0]);
    try (TransformerPolicy policy = TransformerPolicy.initialize(shortModel, VOCAB, 2, Device.cpu(), DataType.FLOAT32);
         GenerationEngine engine = new GenerationEngine(policy, p, 2, 4)) {
      engine.start(List.of(new GenerationEngine.Request(prompt(1, 4), 1, "short", 1))); // done at once: slot idle
      for (int n = 0; n < 5; n++) {
        GenerationEngine.Request r = new GenerationEngine.Request(prompt(n, 4), n, n);
        engine.start(List.of(r));
        List<GenerationEngine.Completion> done = new ArrayList<>();
        while (!engine.idle()) {
          done.addAll(engine.step());
        }
        assertEquals(8, done.get(0).tokens().length);
        assertArrayEquals(recompute(policy, r.prompt(), done.get(0).tokens()), done.get(0).logProbs(), 1e-4f);
      }
    }
  }

  @Test
  void nativeMemoryStaysFlatOverThousandsOfSteps() {
    SamplingParams p = new SamplingParams(8, 1.0, 3, 0.9, new int[] {STOP});
    try (TransformerPolicy policy = model(9); GenerationEngine engine = new GenerationEngine(policy, p, 4, 12)) {
      int seq = 0;
      int before = -1;
      for (int step = 0; step < 2000; step++) {
        while (engine.freeSlots() > 0) {
          engine.start(List.of(new GenerationEngine.Request(prompt(seq, 2 + seq % 10), seq, seq)));
          seq++;
        }
        engine.step();
        if (step == 100) {
          before = policy.managedArrayCount();
        }
      }
      assertEquals(before, policy.managedArrayCount(), "arrays held by the policy's manager");
      assertTrue(engine.cacheBytes() > 0);
    }
  }
}
