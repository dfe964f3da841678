package dev.asyncrl.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.algorithms.AlgorithmRegistry;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.core.config.JobConfig.AlgorithmConfig;
import dev.asyncrl.core.config.JobConfig.ModelConfig;
import dev.asyncrl.datastore.InMemoryTrajectoryStore;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.Sampler;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PolicyGradientDirectionTest {

  static final int[] PROMPT = {2, 3, 4};
  static final int REWARDED = 5;

  static double probabilityOfRewarded(TransformerPolicy p) {
    try (NDScope ignored = new NDScope()) {
      NDArray tokens = p.manager().create(new long[] {2, 3, 4, REWARDED}, new Shape(1, 4));
      float[] lp = p.nextTokenLogProbs(tokens, 1.0).toFloatArray();
      return Math.exp(lp[2]);
    }
  }

  @Test
  void trainingOnRewardedSamplesRaisesTheirProbability() throws Exception {
    ComputeThread.inferenceOnly();
    ModelConfig mc = new ModelConfig(32, 1, 2, 64, 8);
    try (TransformerPolicy policy = TransformerPolicy.initialize(mc, 16, 1, Device.cpu(), DataType.FLOAT32);
         InMemoryTrajectoryStore store = new InMemoryTrajectoryStore(100)) {
      policy.setTrainable(true);
      double before = probabilityOfRewarded(policy);
      int steps = 30;
      SplittableRandom rng = new SplittableRandom(1);
      SamplingParams sampling = new SamplingParams(1, 1.0, 0, 1.0, new int[] {});
      // Each step samples 16 responses from the current policy; reward 1 for token 5, else 0.
      List<TrajectoryGroup> produced = new ArrayList<>();
      WeightChannel<PolicyWeights> channel = new WeightChannel<>(1, PolicyWeights::close);
      StalenessGate gate = new StalenessGate(0, 1);
      AdamW opt = new AdamW(policy.parameters(), 0.9, 0.999, 1e-8, 0);
      var algo = AlgorithmRegistry.builtIn().create(new AlgorithmConfig("grpo", 0.2, 0.2, 0, "unbiased", 1e-6,
          "group", "token-mean"));
      final long[] nextId = {0};
      Trainer trainer = new Trainer(new Trainer.Options(steps, 1, 0, 1.0, 1,
          new LearningRateSchedule(1e-2, 0, steps, false), 1.0, 0, null), policy, opt, algo, store, gate, channel,
          () -> {
            // Produce the next group on demand from the trainer's current weights (synchronous).
            if (store.buffered() == 0) {
              int[][] prompts = new int[16][];
              java.util.Arrays.fill(prompts, PROMPT);
              var gen = Sampler.generate(policy, prompts, sampling, rng);
              List<Trajectory> ts = new ArrayList<>();
              for (int i = 0; i < 16; i++) {
                ts.add(new Trajectory(PROMPT, gen.tokens()[i], gen.logProbs()[i], new byte[] {1},
                    gen.tokens()[i][0] == REWARDED ? 1 : 0, channel.latestVersion(), channel.latestVersion(), 0));
              }
              TrajectoryGroup g = new TrajectoryGroup(nextId[0]++, "t", ts, 0, 0);
              produced.add(g);
              try {
                store.append(g);
              } catch (InterruptedException e) {
                throw new RuntimeException(e);
              }
            }
            return Optional.empty();
          }, r -> {});
      trainer.publishInitial();
      trainer.run();
      channel.close();
      double after = probabilityOfRewarded(policy);
      assertTrue(after > before + 0.3, "p(rewarded) before " + before + ", after " + after);
    }
  }
}
