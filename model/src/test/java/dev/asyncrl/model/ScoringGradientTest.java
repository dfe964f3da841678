package dev.asyncrl.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.asyncrl.gpu.Autograd;
import dev.asyncrl.gpu.FreedMemory;
import dev.asyncrl.gpu.HostData;
import dev.asyncrl.model.TransformerPolicy.Scoring;
import dev.asyncrl.model.hf.HfConfig;
import dev.asyncrl.model.hf.HfModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The gradients of {@link TransformerPolicy#score}: what the trainer differentiates. */
class ScoringGradientTest {

  static final int VOCAB = 13;
  static final int ROWS = 4;
  static final int WIDTH = 14;

  static TransformerPolicy gpt() {
    return TransformerPolicy.initialize(new GptShape(16, 2, 2, 32, 24), VOCAB, 3, Device.cpu(), DataType.FLOAT64,
        GptArchitecture.Init.PYTORCH);
  }

  static TransformerPolicy qwen2() {
    return HfModel.initialize(HfConfig.parse("{\"architectures\":[\"Qwen2ForCausalLM\"],\"vocab_size\":" + VOCAB
        + ",\"hidden_size\":16,\"intermediate_size\":24,\"num_hidden_layers\":2,\"num_attention_heads\":4,"
        + "\"num_key_value_heads\":2,\"tie_word_embeddings\":true}", "config.json"), 24, 5, Device.cpu(),
        DataType.FLOAT64);
  }

  static TransformerPolicy qwen2Lora() {
    TransformerPolicy p = qwen2();
    p.enableLora(new LoraSpec(2, 4, 0.0, List.of("q_proj", "v_proj", "down_proj")), 7);
    return p;
  }

  static Stream<Arguments> sharing() {
    Supplier<TransformerPolicy> gpt = ScoringGradientTest::gpt;
    Supplier<TransformerPolicy> qwen2 = ScoringGradientTest::qwen2;
    return Stream.of(
        // rows equal up to column 6, scored from 5: columns 0..4 are computed once
        Arguments.of("gpt", gpt, 6, 5),
        Arguments.of("qwen2", qwen2, 6, 5),
        // the rows part at column 3, before the first scored column (8)
        Arguments.of("gpt", gpt, 3, 8),
        Arguments.of("qwen2", qwen2, 3, 8),
        // nothing shared: the plain forward
        Arguments.of("qwen2", qwen2, 0, 4));
  }

  /**
   * Scoring rows that share their first columns (a group's prompt) computes those columns once. Log-probs,
   * entropies and every parameter's gradient must equal those of scoring each row on its own.
   */
  @ParameterizedTest(name = "{0}, rows agree on {2} columns, scored from {3}")
  @MethodSource("sharing")
  void sharedColumnsScoreAndDifferentiateAsEachRowAlone(String name, Supplier<TransformerPolicy> make, int agree,
      int from) {
    try (TransformerPolicy policy = make.get(); NDScope ignored = new NDScope()) {
      policy.setTrainable(true);
      NDManager m = policy.manager();
      NDArray tokens = tokens(m, agree, agree * 31L + from);
      NDArray weights = m.randomUniform(-1, 1, new Shape(ROWS, WIDTH - 1), DataType.FLOAT64);
      Scoring scoring = new Scoring(0.8, from, null, true);
      NDList together;
      try (GradientCollector gc = Autograd.collector()) {
        together = policy.score(tokens, scoring);
        gc.backward(objective(together, weights));
      }
      Map<String, double[]> gradTogether = gradients(policy);
      NDList alone = new NDList();
      Map<String, double[]> gradAlone = new LinkedHashMap<>();
      for (int r = 0; r < ROWS; r++) {
        NDIndex row = new NDIndex("{}:{}", r, r + 1);
        try (GradientCollector gc = Autograd.collector()) {
          NDList one = policy.score(tokens.get(row), scoring);
          gc.backward(objective(one, weights.get(row)));
          alone.add(NDArrays.concat(new NDList(one.get(0).stopGradient(), one.get(1).stopGradient()), 0));
        }
        gradients(policy).forEach((k, g) -> gradAlone.merge(k, g, ScoringGradientTest::sum));
      }
      double[] logProbs = together.get(0).toDoubleArray();
      double[] entropies = together.get(1).toDoubleArray();
      for (int r = 0; r < ROWS; r++) {
        double[] expected = alone.get(r).toDoubleArray();                                   // [ℓ; H] of row r
        for (int c = 0; c < WIDTH - 1; c++) {
          int i = r * (WIDTH - 1) + c;
          assertEquals(expected[c], logProbs[i], 1e-9, name + " log-prob, row " + r + " column " + c);
          assertEquals(expected[WIDTH - 1 + c], entropies[i], 1e-9, name + " entropy, row " + r + " column " + c);
          if (c < from) {
            assertEquals(0.0, logProbs[i], name + ": a column before `from` is not scored");
          } else {
            assertTrue(logProbs[i] < 0, name + ": a scored column holds a log-prob");
          }
        }
      }
      assertSameGradients(gradAlone, gradTogether, name);
    }
  }

  static Stream<Arguments> chosenColumns() {
    Supplier<TransformerPolicy> gpt = ScoringGradientTest::gpt;
    Supplier<TransformerPolicy> qwen2 = ScoringGradientTest::qwen2;
    return Stream.of(
        Arguments.of("gpt", gpt, 6, 5),
        Arguments.of("qwen2", qwen2, 6, 5),
        Arguments.of("qwen2 with LoRA", (Supplier<TransformerPolicy>) ScoringGradientTest::qwen2Lora, 3, 8),
        Arguments.of("gpt", gpt, 0, 1));
  }

  /**
   * Scoring only the chosen columns (an episode's trained tokens, skipping its tool results) gives, in each of
   * them, the log-prob, entropy and gradients of scoring every column, and 0 in the others; chunked by rows
   * too.
   */
  @ParameterizedTest(name = "{0}, rows agree on {2} columns, chosen from {3}")
  @MethodSource("chosenColumns")
  void scoringChosenColumnsEqualsScoringEveryColumnThere(String name, Supplier<TransformerPolicy> make, int agree,
      int from) {
    try (TransformerPolicy policy = make.get(); NDScope ignored = new NDScope()) {
      policy.setTrainable(true);
      NDManager m = policy.manager();
      NDArray tokens = tokens(m, agree, agree * 17L + from);
      double[] chosen = new double[ROWS * (WIDTH - 1)];
      SplittableRandom rng = new SplittableRandom(from);
      for (int r = 0; r < ROWS - 1; r++) {                                   // the last row has no chosen column
        for (int c = from; c < WIDTH - 1; c++) {
          chosen[r * (WIDTH - 1) + c] = rng.nextInt(3) == 0 ? 0 : 1;
        }
      }
      chosen[from] = 1;
      NDArray mask = HostData.own(m.create(chosen, new Shape(ROWS, WIDTH - 1)));
      NDArray weights = m.randomUniform(-1, 1, new Shape(ROWS, WIDTH - 1), DataType.FLOAT64).mul(mask);
      NDList every;
      try (GradientCollector gc = Autograd.collector()) {
        every = policy.score(tokens, new Scoring(0.8, from, null, true));
        gc.backward(objective(every, weights));
      }
      Map<String, double[]> gradEvery = gradients(policy);
      Scoring onlyChosen = new Scoring(0.8, from, mask, true);
      NDList some;
      try (GradientCollector gc = Autograd.collector()) {
        some = policy.score(tokens, onlyChosen);
        gc.backward(objective(some, weights));
      }
      assertSameGradients(gradEvery, gradients(policy), name);
      NDList chunked = policy.score(tokens, onlyChosen, 3);
      for (int k = 0; k < 2; k++) {
        double[] all = every.get(k).toDoubleArray();
        double[] scored = some.get(k).toDoubleArray();
        double[] inChunks = chunked.get(k).toDoubleArray();
        for (int i = 0; i < all.length; i++) {
          String where = name + (k == 0 ? " log-prob" : " entropy") + ", cell " + i;
          assertEquals(chosen[i] * all[i], scored[i], 1e-9, where);
          assertEquals(scored[i], inChunks[i], 1e-9, where + ", scored 3 rows at a time");
          assertTrue(chosen[i] == 0 || all[i] != 0, where + ": a chosen cell holds a value");
        }
      }
    }
  }

  /**
   * A garbage collection between the forward and the backward pass (which a busy trainer's JVM runs at any time)
   * leaves every gradient as it was: the numbers the forward multiplies or divides by (the attention scale, the
   * temperature, LoRA's scale) must still be there when the backward pass reads them.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void aGarbageCollectionBeforeTheBackwardPassChangesNoGradient(String name, Supplier<TransformerPolicy> make) {
    try (TransformerPolicy policy = make.get(); NDScope ignored = new NDScope()) {
      policy.setTrainable(true);
      NDManager m = policy.manager();
      NDArray tokens = tokens(m, 0, 11);
      NDArray weights = m.randomUniform(-1, 1, new Shape(ROWS, WIDTH - 1), DataType.FLOAT64);
      Scoring scoring = new Scoring(0.7, 2, null, true);
      try (GradientCollector gc = Autograd.collector()) {
        gc.backward(objective(policy.score(tokens, scoring), weights));
      }
      Map<String, double[]> undisturbed = gradients(policy);
      for (int round = 0; round < 3; round++) {
        List<NDArray> reused;
        try (GradientCollector gc = Autograd.collector()) {
          NDArray loss = objective(policy.score(tokens, scoring), weights);
          reused = FreedMemory.collectAndReuse(m);
          gc.backward(loss);
        }
        reused.forEach(NDArray::close);
        assertSameGradients(undisturbed, gradients(policy), name + ", round " + round);
      }
    }
  }

  static Stream<Arguments> models() {
    return Stream.of(Arguments.of("gpt", (Supplier<TransformerPolicy>) ScoringGradientTest::gpt),
        Arguments.of("qwen2 with LoRA", (Supplier<TransformerPolicy>) ScoringGradientTest::qwen2Lora));
  }

  /** {@code [ROWS, WIDTH]} token ids whose rows agree on their first {@code agree} columns and no further. */
  private static NDArray tokens(NDManager m, int agree, long seed) {
    long[] ids = new long[ROWS * WIDTH];
    SplittableRandom rng = new SplittableRandom(seed);
    for (int c = 0; c < WIDTH; c++) {
      long first = rng.nextInt(VOCAB);
      for (int r = 0; r < ROWS; r++) {
        ids[r * WIDTH + c] = c < agree ? first : rng.nextInt(VOCAB);
      }
    }
    ids[2 * WIDTH + agree] = (ids[agree] + 1) % VOCAB;                                       // row 2 parts at `agree`
    return HostData.own(m.create(ids, new Shape(ROWS, WIDTH)));
  }

  /** A scalar that weighs every log-prob and entropy differently, so that every gradient path counts. */
  private static NDArray objective(NDList scored, NDArray weights) {
    return scored.get(0).add(scored.get(1)).mul(weights).sum();
  }

  /** Every trainable parameter's gradient, read and then cleared. */
  private static Map<String, double[]> gradients(TransformerPolicy policy) {
    Map<String, double[]> out = new LinkedHashMap<>();
    policy.parameters().forEach((k, p) -> {
      if (p.hasGradient()) {
        out.put(k, p.getGradient().toDoubleArray());
        Autograd.zeroGradient(p);
      }
    });
    assertTrue(!out.isEmpty(), "the policy has trainable parameters");
    return out;
  }

  private static void assertSameGradients(Map<String, double[]> expected, Map<String, double[]> actual, String what) {
    assertEquals(expected.keySet(), actual.keySet(), what);
    expected.forEach((k, e) -> {
      double[] a = actual.get(k);
      for (int i = 0; i < e.length; i++) {
        assertEquals(e[i], a[i], 1e-9, what + ": gradient of " + k + "[" + i + "]");
      }
    });
  }

  private static double[] sum(double[] a, double[] b) {
    double[] out = a.clone();
    for (int i = 0; i < b.length; i++) {
      out[i] += b[i];
    }
    return out;
  }
}
