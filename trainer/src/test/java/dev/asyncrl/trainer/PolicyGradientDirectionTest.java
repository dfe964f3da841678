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
import dev.asyncrl.algorithms.Algorithm;
import dev.asyncrl.model.GptShape;
import dev.asyncrl.datastore.TrajectoryStore;
import java.time.Duration;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.Sampler;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  @ParameterizedTest
  @ValueSource(strings = {"grpo", "dr_grpo", "dapo", "rloo", "loop", "tis", "vcpo", "ppo"})
  void trainingOnRewardedSamplesRaisesTheirProbability(String name) throws Exception {
    ComputeThread.inferenceOnly();
    GptShape mc = new GptShape(32, 1, 2, 64, 8);
    try (TransformerPolicy policy = TransformerPolicy.initialize(mc, 16, 1, Device.cpu(), DataType.FLOAT32)) {
      policy.setTrainable(true);
      double before = probabilityOfRewarded(policy);
      int steps = 30;
      SplittableRandom rng = new SplittableRandom(1);
      SamplingParams sampling = new SamplingParams(1, 1.0, 0, 1.0, new int[] {});
      WeightChannel<PolicyWeights> channel = new WeightChannel<>(1, PolicyWeights::close);
      // Synchronous: each poll samples 16 responses from the trainer's current weights;
      // reward 1 for token 5, else 0.
      TrajectoryStore store = new TrajectoryStore() {
        long next;

        @Override
        public void append(TrajectoryGroup group) {
          throw new UnsupportedOperationException();
        }

        @Override
        public void flush() {}

        @Override
        public TrajectoryGroup poll(Duration timeout) {
          int[][] prompts = new int[16][];
          java.util.Arrays.fill(prompts, PROMPT);
          var gen = Sampler.generate(policy, prompts, sampling, rng);
          List<Trajectory> ts = new ArrayList<>();
          for (int i = 0; i < 16; i++) {
            ts.add(new Trajectory(PROMPT, gen.tokens()[i], gen.logProbs()[i], new byte[] {1},
                gen.tokens()[i][0] == REWARDED ? 1 : 0, channel.latestVersion(), channel.latestVersion(), 0));
          }
          return new TrajectoryGroup(next++, "t", ts, 0, 0);
        }

        @Override
        public long consumed() {
          return next;
        }

        @Override
        public dev.asyncrl.datastore.StorePosition position() {
          return new dev.asyncrl.datastore.StorePosition(java.util.Map.of(), next, 0);
        }

        @Override
        public void seek(dev.asyncrl.datastore.StorePosition position) {
          throw new UnsupportedOperationException();
        }

        @Override
        public void commit(dev.asyncrl.datastore.StorePosition position) {}

        @Override
        public int buffered() {
          return 0;
        }

        @Override
        public void close() {}
      };
      StalenessGate gate = new StalenessGate(0, 1);
      AdamW opt = new AdamW(policy.parameters(), 0.9, 0.999, 1e-8, 0);
      Algorithm algo = AlgorithmRegistry.builtIn().fromYaml("{name: " + name + "}");
      Trainer trainer = new Trainer(new Trainer.Options(steps, 1, 1, 1, 0, 0, 1.0, 1,
          dev.asyncrl.core.HorizonSchedule.fixed(1), new LearningRateSchedule(1e-2, 0, steps, false), 1.0, 0, null, 10), policy, null, opt, algo, store, new InProcessPublisher(channel, gate),
          RolloutMonitor.NONE, r -> {});
      trainer.publishInitial();
      trainer.run();
      channel.close();
      double after = probabilityOfRewarded(policy);
      assertTrue(after > before + 0.3, name + ": p(rewarded) before " + before + ", after " + after);
    }
  }
}
