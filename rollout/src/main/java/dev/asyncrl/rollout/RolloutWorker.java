package dev.asyncrl.rollout;

import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.TrajectoryStore;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.Generation;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.Sampler;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One rollout worker: admission, then the newest weights (or those {@code lag} versions older), then one
 * batched generation of {@code groupsPerBatch} groups of {@code groupSize} responses, scored and appended
 * to the store.
 * Weights change only between batches, so every response of a group has one policy version.
 */
public final class RolloutWorker implements Runnable {

  /**
   * What a worker needs; the policy is this worker's own copy.
   *
   * @param lag sample with the weights this many versions behind the newest published ({@code rollout.lag})
   * @param firstSequence the sequence number of this worker's first group id
   * @param invalidRewards shared by the workers of a process: responses whose reward could not be used
   */
  public record Setup(int workerId, TransformerPolicy policy, Task task, Prompting prompting,
      SamplingParams sampling, int groupSize, int groupsPerBatch, int lag, long seed, long firstSequence,
      InvalidRewards invalidRewards) {}

  private final Setup setup;
  private final WeightChannel<PolicyWeights> weights;
  private final StalenessGate gate;
  private final TrajectoryStore store;
  private final SplittableRandom rng;
  private long held = WeightChannel.NOTHING;
  private long version = -1;
  private long nextSequence;
  private volatile boolean stopping;

  public RolloutWorker(Setup setup, WeightChannel<PolicyWeights> weights, StalenessGate gate, TrajectoryStore store) {
    this.setup = setup;
    this.weights = weights;
    this.gate = gate;
    this.store = store;
    this.rng = new SplittableRandom(setup.seed());
    this.nextSequence = setup.firstSequence();
  }

  /** Group ids are unique across workers: worker id in the high bits, a per-worker sequence below. */
  public static long groupId(int workerId, long sequence) {
    return ((long) workerId << 40) | sequence;
  }

  public void stop() {
    stopping = true;
  }

  @Override
  public void run() {
    ComputeThread.inferenceOnly();
    try {
      weights.awaitFirst();
      while (!stopping && !Thread.currentThread().isInterrupted()) {
        int admitted = admit();
        if (admitted == 0) {
          return;
        }
        produce(admitted);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for one slot, then takes up to groupsPerBatch − 1 more without waiting. */
  private int admit() throws InterruptedException {
    if (!gate.acquire()) {
      return 0;
    }
    int admitted = 1;
    while (admitted < setup.groupsPerBatch() && gate.tryAcquire()) {
      admitted++;
    }
    return admitted;
  }

  private void produce(int groups) throws InterruptedException {
    int appended = 0;
    try {
      held = weights.readIfNewer(held, setup.lag(), p -> {
        setup.policy().loadWeights(p.weights().arrays());
        version = p.version();
      });
      long start = System.nanoTime();
      int k = setup.groupSize();
      TaskInstance[] instances = new TaskInstance[groups];
      int[][] prompts = new int[groups * k][];
      for (int g = 0; g < groups; g++) {
        instances[g] = setup.task().next(rng);
        int[] prompt = setup.prompting().encode(instances[g].prompt());
        Arrays.fill(prompts, g * k, (g + 1) * k, prompt);
      }
      Generation gen = Sampler.generate(setup.policy(), prompts, setup.sampling(), rng);
      long perResponse = (System.nanoTime() - start) / prompts.length;
      List<TrajectoryGroup> scored = new ArrayList<>(groups);
      for (int g = 0; g < groups; g++) {
        List<Trajectory> responses = new ArrayList<>(k);
        for (int i = g * k; i < (g + 1) * k && responses != null; i++) {
          Trajectory t = trajectory(instances[g], prompts[i], gen.tokens()[i], gen.logProbs()[i], perResponse);
          if (t == null) {
            responses = null; // the group cannot be trained without every reward; its slot is given back
          } else {
            responses.add(t);
          }
        }
        if (responses != null) {
          scored.add(new TrajectoryGroup(groupId(setup.workerId(), nextSequence++), setup.task().name(), responses,
              setup.workerId(), TrajectoryGroup.nowMicros()));
        }
      }
      for (TrajectoryGroup group : scored) {
        store.append(group);
      }
      store.flush(); // accepted means durable: admission elsewhere counts what the store holds
      for (; appended < scored.size(); appended++) {
        gate.accepted();
      }
    } finally {
      for (int i = appended; i < groups; i++) {
        gate.abandoned();
      }
    }
  }

  /** The scored response, or null when the reward function threw or returned a value that is not finite. */
  private Trajectory trajectory(TaskInstance instance, int[] prompt, int[] response, float[] logProbs, long nanos) {
    boolean terminated = response.length > 0 && setup.sampling().isStop(response[response.length - 1]);
    String text = setup.prompting().tokenizer().decode(response);
    double reward;
    try {
      reward = setup.task().reward().score(instance, text, terminated);
    } catch (RuntimeException e) {
      setup.invalidRewards().record(setup.task(), instance, "threw " + e);
      return null;
    }
    if (!Double.isFinite(reward)) {
      setup.invalidRewards().record(setup.task(), instance, "returned " + reward);
      return null;
    }
    byte[] mask = new byte[response.length];
    Arrays.fill(mask, (byte) 1);
    return new Trajectory(prompt, response, logProbs, mask, reward, version, version, nanos);
  }
}
