package dev.asyncrl.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.algorithms.Algorithm;
import dev.asyncrl.algorithms.AlgorithmRegistry;
import dev.asyncrl.core.HorizonSchedule;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.datastore.InMemoryTrajectoryStore;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.GptArchitecture;
import dev.asyncrl.model.GptShape;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.TransformerPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code trainer.micro_batch_rows}: a mini-batch split into micro-batches gives the update of one pass over it,
 * for every algorithm, with several mini-batches (proximal log-probs), a KL reference and an entropy bonus.
 * {@code trainer.epochs}: E passes are E mini-batches of the same groups against one ℓold. The entropy bonus
 * raises the entropy.
 */
class MicroBatchTest {

  static final GptShape SHAPE = new GptShape(16, 2, 2, 32, 24);
  static final int VOCAB = 11;
  /** float64, so that sums in another order differ by rounding alone (AdamW moves each weight by about lr = 1e-2) */
  static final DataType DTYPE = DataType.FLOAT64;
  static final double TOL = 1e-9;

  /** Groups of four responses of different lengths (padding), behaviour log-probs off the policy, varied rewards. */
  static List<TrajectoryGroup> groups(int count, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<TrajectoryGroup> out = new ArrayList<>();
    for (int g = 0; g < count; g++) {
      int[] prompt = rng.ints(2 + rng.nextInt(3), 1, VOCAB).toArray();
      List<Trajectory> ts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        int n = 1 + rng.nextInt(6);
        float[] lp = new float[n];
        byte[] mask = new byte[n];
        for (int t = 0; t < n; t++) {
          lp[t] = (float) (-0.5 - 3 * rng.nextDouble());
          mask[t] = (byte) (rng.nextInt(5) == 0 ? 0 : 1);
        }
        ts.add(new Trajectory(prompt, rng.ints(n, 1, VOCAB).toArray(), lp, mask, rng.nextInt(3) / 2.0, 0, 0, 0));
      }
      out.add(new TrajectoryGroup(g, "t", ts, 0, 0));
    }
    return out;
  }

  /** The policy's parameters and the update's metrics after one step on {@code groups}. */
  static Map<String, Double> step(TransformerPolicy policy, TransformerPolicy reference, Algorithm algorithm,
      List<TrajectoryGroup> groups, int miniBatches, int microBatchRows) throws Exception {
    return step(policy, reference, algorithm, groups, miniBatches, 1, microBatchRows);
  }

  static Map<String, Double> step(TransformerPolicy policy, TransformerPolicy reference, Algorithm algorithm,
      List<TrajectoryGroup> groups, int miniBatches, int epochs, int microBatchRows) throws Exception {
    policy.setTrainable(true);
    WeightChannel<PolicyWeights> channel = new WeightChannel<>(1, PolicyWeights::close);
    try (InMemoryTrajectoryStore store = new InMemoryTrajectoryStore(1)) {
      Trainer trainer = new Trainer(new Trainer.Options(1, groups.size(), miniBatches, epochs, microBatchRows, 0, 1.0, 8,
          HorizonSchedule.fixed(1), new LearningRateSchedule(1e-2, 0, 1, false), 1.0, 0, null, 10), policy, reference,
          new AdamW(policy.parameters(), 0.9, 0.999, 1e-8, 0.01), algorithm, store,
          new InProcessPublisher(channel, new StalenessGate(0, groups.size())), RolloutMonitor.NONE, r -> {});
      return trainer.update(groups, 1);
    } finally {
      channel.close();
    }
  }

  static void assertSameUpdate(String algorithmYaml, int miniBatches, int microBatchRows) throws Exception {
    ComputeThread.inferenceOnly();
    Algorithm algorithm = AlgorithmRegistry.builtIn().fromYaml(algorithmYaml);
    List<TrajectoryGroup> groups = groups(4, 7);
    try (TransformerPolicy whole = TransformerPolicy.initialize(SHAPE, VOCAB, 3, Device.cpu(), DTYPE);
         TransformerPolicy split = TransformerPolicy.initialize(SHAPE, VOCAB, 3, Device.cpu(), DTYPE);
         TransformerPolicy start = TransformerPolicy.initialize(SHAPE, VOCAB, 3, Device.cpu(), DTYPE);
         TransformerPolicy reference = TransformerPolicy.initialize(SHAPE, VOCAB, 4, Device.cpu(), DTYPE)) {
      Map<String, Double> a = step(whole, algorithm.needsReferenceModel() ? reference : null, algorithm, groups,
          miniBatches, 0);
      Map<String, Double> b = step(split, algorithm.needsReferenceModel() ? reference : null, algorithm, groups,
          miniBatches, microBatchRows);
      assertEquals(a.keySet(), b.keySet());
      for (String k : a.keySet()) {
        assertEquals(a.get(k), b.get(k), TOL * Math.max(1, Math.abs(a.get(k))), algorithmYaml + ": " + k);
      }
      assertSameWeights(whole, split, start, algorithmYaml);
    }
  }

  /** {@code a} and {@code b} hold the same weights, which the update moved away from {@code start}'s. */
  static void assertSameWeights(TransformerPolicy a, TransformerPolicy b, TransformerPolicy start, String what) {
    double moved = 0;
    for (Map.Entry<String, NDArray> e : a.parameters().entrySet()) {
      try (NDScope ignored = new NDScope()) {
        NDArray other = b.parameters().get(e.getKey());
        assertEquals(0, e.getValue().sub(other).abs().max().toType(DataType.FLOAT64, false).getDouble(), TOL, what + ": " + e.getKey());
        moved = Math.max(moved, e.getValue().sub(start.parameters().get(e.getKey())).abs().max().toType(DataType.FLOAT64, false).getDouble());
      }
    }
    assertTrue(moved > 1e-3, what + ": the update moved the weights (" + moved + ")");
  }

  /** Every registered algorithm with its defaults, one with a KL term (a reference model), two with an entropy bonus. */
  static Stream<String> algorithms() {
    return Stream.concat(AlgorithmRegistry.builtIn().names().stream().map(n -> "{name: " + n + "}"),
        Stream.of("{name: grpo, kl_coef: 0.1}", "{name: loop, entropy_coef: 0.05}",
            "{name: vcpo, kl_coef: 0.1, entropy_coef: 0.05}"));
  }

  @ParameterizedTest
  @MethodSource("algorithms")
  void splittingAMiniBatchGivesTheSameUpdate(String algorithm) throws Exception {
    // 16 rows in chunks of 3: uneven chunks, the last one shorter
    assertSameUpdate(algorithm, 1, 3);
  }

  @Test
  void withSeveralMiniBatchesTheProximalPassIsSplitToo() throws Exception {
    assertSameUpdate("{name: vcpo}", 2, 3);
    assertSameUpdate("{name: grpo}", 4, 1);
    assertSameUpdate("{name: loop, entropy_coef: 0.05}", 2, 3); // the proximal pass has no entropy to reuse
  }

  @ParameterizedTest
  @MethodSource("algorithms")
  void epochsAreMiniBatchesOfTheSameGroupsAgainstOneProximalPolicy(String algorithmYaml) throws Exception {
    // Two epochs of one mini-batch on G update exactly as one epoch of two mini-batches on G followed by G: both
    // take two optimizer steps on G, the second with ratios against the weights before the first.
    ComputeThread.inferenceOnly();
    Algorithm algorithm = AlgorithmRegistry.builtIn().fromYaml(algorithmYaml);
    List<TrajectoryGroup> groups = groups(2, 11);
    List<TrajectoryGroup> twice = new ArrayList<>(groups);
    twice.addAll(groups);
    try (TransformerPolicy epochs = TransformerPolicy.initialize(SHAPE, VOCAB, 3, Device.cpu(), DTYPE);
         TransformerPolicy repeated = TransformerPolicy.initialize(SHAPE, VOCAB, 3, Device.cpu(), DTYPE);
         TransformerPolicy once = TransformerPolicy.initialize(SHAPE, VOCAB, 3, Device.cpu(), DTYPE);
         TransformerPolicy start = TransformerPolicy.initialize(SHAPE, VOCAB, 3, Device.cpu(), DTYPE);
         TransformerPolicy reference = TransformerPolicy.initialize(SHAPE, VOCAB, 4, Device.cpu(), DTYPE)) {
      TransformerPolicy ref = algorithm.needsReferenceModel() ? reference : null;
      step(epochs, ref, algorithm, groups, 1, 2, 3);
      step(repeated, ref, algorithm, twice, 2, 1, 0);
      assertSameWeights(epochs, repeated, start, algorithmYaml);
      step(once, ref, algorithm, groups, 1, 1, 0);
      double second = 0;
      for (Map.Entry<String, NDArray> e : epochs.parameters().entrySet()) {
        try (NDScope ignored = new NDScope()) {
          second = Math.max(second, e.getValue().sub(once.parameters().get(e.getKey())).abs().max()
              .toType(DataType.FLOAT64, false).getDouble());
        }
      }
      assertTrue(second > 1e-3, algorithmYaml + ": the second epoch moved the weights further (" + second + ")");
    }
  }

  @Test
  void anEntropyBonusAloneRaisesTheEntropy() throws Exception {
    // Equal rewards in every group: GRPO's advantages are 0 and the loss is −c·H alone.
    ComputeThread.inferenceOnly();
    Algorithm algorithm = AlgorithmRegistry.builtIn().fromYaml("{name: grpo, entropy_coef: 1.0}");
    List<TrajectoryGroup> groups = groups(2, 5).stream().map(g -> new TrajectoryGroup(g.groupId(), g.taskName(),
        g.trajectories().stream().map(t -> new Trajectory(t.promptTokens(), t.responseTokens(), t.behaviourLogProbs(),
            t.lossMask(), 1.0, 0, 0, 0)).toList(), 0, 0)).toList();
    // PyTorch's initialisation (N(0, 1) token embeddings) starts well below the uniform distribution's ln 11.
    try (TransformerPolicy p = TransformerPolicy.initialize(SHAPE, VOCAB, 3, Device.cpu(), DTYPE,
        GptArchitecture.Init.PYTORCH)) {
      double before = step(p, null, algorithm, groups, 1, 0).get("loss/entropy");
      double after = step(p, null, algorithm, groups, 1, 0).get("loss/entropy");
      assertTrue(before < Math.log(VOCAB) - 0.1 && after > before + 1e-2, "entropy " + before + " -> " + after);
    }
  }

  @Test
  void aChunkedForwardWithoutAGraphEqualsTheWholeOne() {
    ComputeThread.inferenceOnly();
    try (TransformerPolicy p = TransformerPolicy.initialize(SHAPE, VOCAB, 3, Device.cpu(), DTYPE);
         NDScope ignored = new NDScope()) {
      NDArray tokens = p.manager().randomInteger(0, VOCAB, new Shape(7, 9), DataType.INT64);
      double[] whole = p.nextTokenLogProbs(tokens, 0.7).toDoubleArray();
      NDList withEntropy = p.score(tokens, new TransformerPolicy.Scoring(0.7, 0, null, true));
      assertArrayEquals(whole, withEntropy.get(0).toDoubleArray(), 1e-12);
      double[] entropy = withEntropy.get(1).toDoubleArray();
      // H = −Σ p log p of softmax(logits / 0.7), summed here on the host from the logits
      double[] logits = p.forward(tokens.get(":, :8"), null).toDoubleArray();
      for (int i = 0; i < entropy.length; i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < VOCAB; v++) {
          max = Math.max(max, logits[i * VOCAB + v] / 0.7);
        }
        double z = 0;
        for (int v = 0; v < VOCAB; v++) {
          z += Math.exp(logits[i * VOCAB + v] / 0.7 - max);
        }
        double h = 0;
        for (int v = 0; v < VOCAB; v++) {
          double logP = logits[i * VOCAB + v] / 0.7 - max - Math.log(z);
          h -= Math.exp(logP) * logP;
        }
        assertEquals(h, entropy[i], 1e-12, "entropy at position " + i);
      }
      for (int rows : new int[] {0, 1, 2, 7, 50}) {
        double[] chunked = p.nextTokenLogProbs(tokens, 0.7, rows).toDoubleArray();
        assertArrayEquals(whole, chunked, 1e-12, "rows " + rows);
        NDList both = p.score(tokens, new TransformerPolicy.Scoring(0.7, 0, null, true), rows);
        assertArrayEquals(whole, both.get(0).toDoubleArray(), 1e-12, "rows " + rows);
        assertArrayEquals(entropy, both.get(1).toDoubleArray(), 1e-12, "rows " + rows);
      }
      // Scoring from column k: the same values from k on, 0 before, in every form.
      for (int from : new int[] {1, 3, 7}) {
        for (int rows : new int[] {0, 2}) {
          NDList part = rows == 0 ? p.score(tokens, new TransformerPolicy.Scoring(0.7, from, null, true))
              : p.score(tokens, new TransformerPolicy.Scoring(0.7, from, null, true), rows);
          double[][] expected = {whole, entropy};
          for (int k = 0; k < 2; k++) {
            double[] got = part.get(k).toDoubleArray();
            assertEquals(expected[k].length, got.length);
            for (int i = 0; i < got.length; i++) {
              assertEquals(i % 8 < from ? 0 : expected[k][i], got[i], 1e-12, "from " + from + ", cell " + i);
            }
          }
        }
      }
    }
  }
}
