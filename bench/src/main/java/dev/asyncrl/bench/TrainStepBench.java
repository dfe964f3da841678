package dev.asyncrl.bench;

import dev.asyncrl.algorithms.Algorithm;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.datastore.InMemoryTrajectoryStore;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.trainer.AdamW;
import dev.asyncrl.trainer.InProcessPublisher;
import dev.asyncrl.trainer.LearningRateSchedule;
import dev.asyncrl.trainer.RolloutMonitor;
import dev.asyncrl.trainer.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The trainer-step benchmarks' workload: one {@link Trainer#update} (advantages, loss, backward, clipping,
 * AdamW) on a fixed batch of groups × 8 responses of random tokens (4 groups unless given), behaviour log-probs those of a uniform
 * policy. Publishing and the store are not involved.
 */
final class TrainStepBench {
  private TrainStepBench() {}

  static final int GROUPS = 4;
  static final int RESPONSES = 8;

  /** Milliseconds per update, after {@code warmup} untimed ones; {@code policy} is made trainable. */
  static double[] millis(TransformerPolicy policy, Algorithm algorithm, int promptLen, int responseLen, int warmup,
      int runs) {
    return millis(policy, algorithm, GROUPS, 0, promptLen, responseLen, warmup, runs);
  }

  /** @param microBatchRows responses per forward/backward pass (0 = all in one) */
  static double[] millis(TransformerPolicy policy, Algorithm algorithm, int groupCount, int microBatchRows, int promptLen,
      int responseLen, int warmup, int runs) {
    policy.setTrainable(true);
    WeightChannel<PolicyWeights> channel = new WeightChannel<>(1, PolicyWeights::close);
    try (InMemoryTrajectoryStore store = new InMemoryTrajectoryStore(1)) {
      Trainer trainer = new Trainer(new Trainer.Options(1, groupCount, 1, 1, microBatchRows, 0, 1.0, responseLen,
          dev.asyncrl.core.HorizonSchedule.fixed(1), new LearningRateSchedule(1e-4, 0, 1, false), 1.0, 0, null, 10), policy, null,
          new AdamW(policy.parameters(), 0.9, 0.999, 1e-8, 0.01), algorithm, store,
          new InProcessPublisher(channel, new StalenessGate(0, groupCount)), RolloutMonitor.NONE, r -> {});
      List<TrajectoryGroup> groups = batch(groupCount, policy.vocabSize(), promptLen, responseLen);
      return BenchCommand.time(warmup, runs, () -> trainer.update(groups, 1));
    } finally {
      channel.close();
    }
  }

  static List<TrajectoryGroup> batch(int groupCount, int vocab, int promptLen, int responseLen) {
    SplittableRandom rng = new SplittableRandom(1);
    List<TrajectoryGroup> groups = new ArrayList<>();
    for (int g = 0; g < groupCount; g++) {
      List<Trajectory> ts = new ArrayList<>();
      int[] prompt = rng.ints(promptLen, 2, vocab).toArray();
      for (int i = 0; i < RESPONSES; i++) {
        float[] lp = new float[responseLen];
        Arrays.fill(lp, (float) -Math.log(vocab));
        byte[] mask = new byte[responseLen];
        Arrays.fill(mask, (byte) 1);
        ts.add(new Trajectory(prompt, rng.ints(responseLen, 2, vocab).toArray(), lp, mask, rng.nextDouble(), 0, 0, 0));
      }
      groups.add(new TrajectoryGroup(g, "bench", ts, 0, 0));
    }
    return groups;
  }
}
