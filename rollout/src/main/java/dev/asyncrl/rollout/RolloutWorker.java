package dev.asyncrl.rollout;

import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.TrajectoryStore;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.GenerationEngine;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One rollout worker: a {@link GenerationEngine} of {@code slots} sequences kept busy. A group is admitted
 * (through the staleness gate) while slots are free; its {@code K} responses share one prefill and decode
 * alongside everything else in flight; when its last response finishes it is scored and appended to the
 * store, and the freed slots take the next group's responses without waiting for the longest response.
 *
 * <p>Weights: with {@code partial} rollouts, a newer version (or the one {@code lag} behind the newest) is
 * loaded between two decode steps and in-flight responses continue under it; every token records the
 * version that drew it, and the group's staleness counts from its oldest token. Without, a newer version is
 * loaded only when no response is in flight, so a response has one version.
 */
public final class RolloutWorker implements Runnable {

  /**
   * What a worker needs; the policy is this worker's own copy.
   *
   * @param slots sequences decoded together (a multiple of nothing: groups fill whatever slots are free)
   * @param maxPromptLen the longest prompt the task produces, in tokens
   * @param partial load new weights mid-response (per-token versions) instead of between responses
   * @param lag sample with the weights this many versions behind the newest published ({@code rollout.lag})
   * @param firstSequence the sequence number of this worker's first group id
   * @param invalidRewards shared by the workers of a process: responses whose reward could not be used
   */
  public record Setup(int workerId, TransformerPolicy policy, Task task, Prompting prompting,
      SamplingParams sampling, int groupSize, int slots, int maxPromptLen, boolean partial, int lag, long seed,
      long firstSequence, InvalidRewards invalidRewards) {}

  /** A group in flight: its task instance, prompt, and the responses finished so far. */
  private static final class Pending {
    final long groupId;
    final TaskInstance instance;
    final int[] prompt;
    final GenerationEngine.Completion[] done;
    final long startNanos = System.nanoTime();
    int finished;

    Pending(long groupId, TaskInstance instance, int[] prompt, int k) {
      this.groupId = groupId;
      this.instance = instance;
      this.prompt = prompt;
      this.done = new GenerationEngine.Completion[k];
    }
  }

  /** Which response of which group a sequence is. */
  private record Tag(Pending group, int index) {}

  private final Setup setup;
  private final WeightChannel<PolicyWeights> weights;
  private final StalenessGate gate;
  private final TrajectoryStore store;
  private final SplittableRandom rng;
  private final Deque<GenerationEngine.Request> waiting = new ArrayDeque<>();
  private int inFlight; // admitted groups not yet appended or abandoned
  private long held = WeightChannel.NOTHING;
  private volatile long version = -1;
  private long nextSequence;
  private volatile boolean stopping;
  private final AtomicLong groupsAppended = new AtomicLong();
  private final AtomicLong tokensSampled = new AtomicLong();

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

  /** Groups this worker appended to the store so far. */
  public long groupsAppended() {
    return groupsAppended.get();
  }

  /** Response tokens of the groups this worker appended. */
  public long tokensSampled() {
    return tokensSampled.get();
  }

  /** The policy version this worker samples with (−1 before the first). */
  public long version() {
    return version;
  }

  @Override
  public void run() {
    ComputeThread.inferenceOnly();
    try (GenerationEngine engine = new GenerationEngine(setup.policy(), setup.sampling(), setup.slots(),
        setup.maxPromptLen())) {
      weights.awaitFirst();
      while (!stopping && !Thread.currentThread().isInterrupted()) {
        // Without partial rollouts a newer version waits for the responses in flight, and nothing new starts
        // meanwhile: a group sampled with older weights than its admission assumed could be too stale to train.
        boolean hold = !setup.partial() && newer();
        if (!hold && !admit(engine)) {
          return; // the gate closed: the run is over
        }
        boolean current = !newer(); // after admission, which may have waited for the trainer's next version
        if (!current && (setup.partial() || engine.idle())) {
          load(engine);
          current = true;
        }
        if (current || setup.partial()) {
          finish(startWaiting(engine));
        }
        finish(engine.step());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      for (; inFlight > 0; inFlight--) {
        gate.abandoned();
      }
    }
  }

  private boolean newer() {
    return weights.hasNewer(held, setup.lag());
  }

  private void load(GenerationEngine engine) {
    held = weights.readIfNewer(held, setup.lag(), p -> {
      setup.policy().loadWeights(p.weights().arrays());
      version = p.version();
    });
    engine.weightsChanged(version);
  }

  /**
   * Admits groups while slots would otherwise stay free: waits for the gate only when nothing is in flight,
   * otherwise takes only what the gate grants at once.
   *
   * @return false when the gate closed
   */
  private boolean admit(GenerationEngine engine) throws InterruptedException {
    while (waiting.size() < engine.freeSlots()) {
      boolean granted = inFlight == 0 ? gate.acquire() : gate.tryAcquire();
      if (!granted) {
        return inFlight > 0; // a refused wait means the gate closed; a refused try, only that it is full
      }
      inFlight++;
      TaskInstance instance = setup.task().next(rng);
      int[] prompt = setup.prompting().encode(instance.prompt());
      Pending group = new Pending(groupId(setup.workerId(), nextSequence++), instance, prompt, setup.groupSize());
      // Each response's own stream: its tokens depend on the run seed, the group and its index only.
      long seed = new SplittableRandom(setup.seed() * 0x9E3779B97F4A7C15L + group.groupId).nextLong();
      for (int i = 0; i < setup.groupSize(); i++) {
        waiting.add(new GenerationEngine.Request(prompt, seed + i, new Tag(group, i)));
      }
    }
    return true;
  }

  /** Starts waiting responses in the free slots, all in one prefill (a group's responses share their prompt's). */
  private List<GenerationEngine.Completion> startWaiting(GenerationEngine engine) {
    List<GenerationEngine.Request> batch = new ArrayList<>();
    while (!waiting.isEmpty() && batch.size() < engine.freeSlots()) {
      batch.add(waiting.poll());
    }
    return engine.start(batch);
  }

  /**
   * Files finished responses with their groups; groups whose last response is among them are scored and
   * appended, then the store is flushed once and each appended group counts as accepted.
   */
  private void finish(List<GenerationEngine.Completion> completions) throws InterruptedException {
    int appended = 0;
    try {
      for (GenerationEngine.Completion c : completions) {
        Tag tag = (Tag) c.tag();
        Pending group = tag.group();
        group.done[tag.index()] = c;
        if (++group.finished == group.done.length) {
          inFlight--;
          appended++; // counted first, so an interrupted append gives its slot back too
          if (!append(group)) {
            appended--;
            gate.abandoned(); // the group cannot be trained without every reward; its slot is given back
          }
        }
      }
      if (appended > 0) {
        store.flush(); // accepted means durable: admission elsewhere counts what the store holds
      }
    } catch (InterruptedException e) {
      for (; appended > 0; appended--) {
        gate.abandoned();
      }
      throw e;
    }
    for (; appended > 0; appended--) {
      gate.accepted();
    }
  }

  /** Scores {@code group} and appends it to the store; false when a reward could not be used. */
  private boolean append(Pending group) throws InterruptedException {
    long nanos = (System.nanoTime() - group.startNanos) / group.done.length;
    List<Trajectory> responses = new ArrayList<>(group.done.length);
    for (GenerationEngine.Completion done : group.done) {
      Trajectory t = trajectory(group, done, nanos);
      if (t == null) {
        return false;
      }
      responses.add(t);
    }
    store.append(new TrajectoryGroup(group.groupId, setup.task().name(), responses, setup.workerId(),
        TrajectoryGroup.nowMicros()));
    groupsAppended.incrementAndGet();
    tokensSampled.addAndGet(responses.stream().mapToLong(t -> t.responseTokens().length).sum());
    return true;
  }

  /** The scored response, or null when the reward function threw or returned a value that is not finite. */
  private Trajectory trajectory(Pending group, GenerationEngine.Completion c, long nanos) {
    int[] response = c.tokens();
    boolean terminated = response.length > 0 && setup.sampling().isStop(response[response.length - 1]);
    String text = setup.prompting().tokenizer().decode(response);
    double reward;
    try {
      reward = setup.task().reward().score(group.instance, text, terminated);
    } catch (RuntimeException e) {
      setup.invalidRewards().record(setup.task(), group.instance, "threw " + e);
      return null;
    }
    if (!Double.isFinite(reward)) {
      setup.invalidRewards().record(setup.task(), group.instance, "returned " + reward);
      return null;
    }
    byte[] mask = new byte[response.length];
    Arrays.fill(mask, (byte) 1);
    return Trajectory.withTokenVersions(group.prompt, response, c.logProbs(), mask, reward, nanos, c.versions());
  }
}
