package dev.asyncrl.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.asyncrl.algorithms.Algorithm;
import dev.asyncrl.algorithms.LossInputs;
import dev.asyncrl.algorithms.LossResult;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.TrajectoryStore;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.TransformerPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The training loop. Each step: take {@code B} groups from the store in arrival order (dropping and
 * counting any older than {@code max_staleness}), compute advantages and the loss, step AdamW with
 * global-norm clipping, publish version {@code v+1}, report, and checkpoint when due.
 */
public final class Trainer {

  /**
   * @param temperature    the rollout temperature; ℓθ is computed from the same tempered logits as ℓμ
   * @param maxResponseLen {@code C} for length-normalised aggregation
   * @param checkpointDir  where {@code step-N} folders go; null = no checkpoints
   */
  public record Options(int steps, int groupsPerStep, int maxStaleness, double temperature, int maxResponseLen,
      LearningRateSchedule lr, double gradClip, int checkpointEvery, Path checkpointDir) {}

  private static final Duration POLL = Duration.ofMillis(100);

  private final Options options;
  private final TransformerPolicy policy;
  private final AdamW optimizer;
  private final Algorithm algorithm;
  private final TrajectoryStore store;
  private final StalenessGate gate;
  private final WeightChannel<PolicyWeights> weights;
  private final Supplier<Optional<Throwable>> producerFailure;
  private final Consumer<StepReport> listener;
  private long version;
  private long droppedTotal;
  private int skippedTotal;

  public Trainer(Options options, TransformerPolicy policy, AdamW optimizer, Algorithm algorithm,
      TrajectoryStore store, StalenessGate gate, WeightChannel<PolicyWeights> weights,
      Supplier<Optional<Throwable>> producerFailure, Consumer<StepReport> listener) {
    this.options = options;
    this.policy = policy;
    this.optimizer = optimizer;
    this.algorithm = algorithm;
    this.store = store;
    this.gate = gate;
    this.weights = weights;
    this.producerFailure = producerFailure;
    this.listener = listener;
  }

  /** Publishes the initial weights as version 0; call before the workers start. */
  public void publishInitial() {
    ComputeThread.inferenceOnly();
    weights.publish(version, PolicyWeights.copyOf(policy));
    gate.published(version);
  }

  public void run() throws InterruptedException {
    ComputeThread.inferenceOnly(); // autograd only inside the gradient collector
    long runStart = System.nanoTime();
    long lastPublish = runStart;
    for (int step = 1; step <= options.steps(); step++) {
      List<TrajectoryGroup> groups = new ArrayList<>(options.groupsPerStep());
      List<Long> dropped = new ArrayList<>();
      long waitStart = System.nanoTime();
      collect(groups, dropped);
      long computeStart = System.nanoTime();
      Map<String, Double> metrics = update(groups, step);
      List<Long> staleness = groups.stream().map(g -> g.staleness(version)).toList();
      version++;
      weights.publish(version, PolicyWeights.copyOf(policy));
      gate.published(version);
      long now = System.nanoTime();
      describe(groups, staleness, dropped, metrics, (computeStart - waitStart) / 1e9, (now - computeStart) / 1e9,
          (now - lastPublish) / 1e9, (now - runStart) / 1e9);
      lastPublish = now;
      if (options.checkpointDir() != null
          && (step == options.steps() || options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0)) {
        TrainerCheckpoint.save(options.checkpointDir(), step, version, store.consumed(), droppedTotal, policy, optimizer);
      }
      listener.accept(new StepReport(step, version, groups.stream().map(TrajectoryGroup::groupId).toList(),
          dropped, staleness, metrics));
    }
  }

  /** Fills {@code groups} to B, dropping (and counting) groups older than max_staleness. */
  private void collect(List<TrajectoryGroup> groups, List<Long> dropped) throws InterruptedException {
    while (groups.size() < options.groupsPerStep()) {
      TrajectoryGroup g = store.poll(POLL);
      if (g == null) {
        Optional<Throwable> failure = producerFailure.get();
        if (failure.isPresent()) {
          throw new IllegalStateException("a rollout worker failed: " + failure.get(), failure.get());
        }
        continue;
      }
      if (g.staleness(version) > options.maxStaleness()) {
        dropped.add(g.groupId());
        droppedTotal++;
        gate.dropped(1);
      } else {
        groups.add(g);
      }
    }
  }

  /**
   * One optimizer update on {@code groups} (advantages, loss, backward, clipping, AdamW) without publishing.
   * Public for benchmarks; {@link #run} is the normal entry point.
   */
  public Map<String, Double> update(List<TrajectoryGroup> groups, int step) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    double[][] rewards = groups.stream().map(TrajectoryGroup::rewards).toArray(double[][]::new);
    TrainBatch batch = TrainBatch.assemble(groups, algorithm.advantages().advantages(rewards));
    DataType dtype = policy.dataType();
    try (NDScope ignored = new NDScope()) {
      NDManager m = policy.manager();
      LossResult result;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray logProbs = policy.nextTokenLogProbs(batch.tokens(m), options.temperature());   // [N, T-1]
        result = algorithm.loss().compute(new LossInputs(logProbs, batch.behaviourLogProbs(m, dtype),
            batch.advantages(m, dtype), batch.mask(m, dtype), options.maxResponseLen()));
        gc.backward(result.loss());
      }
      metrics.put("loss/policy", scalar(result.loss()));
      result.metrics().forEach((k, v) -> metrics.put(k, scalar(v)));
    }
    double gradNorm = optimizer.gradientNorm();
    double lr = options.lr().at(step - 1);
    boolean skip = batch.trainedTokens() == 0 || !Double.isFinite(gradNorm) || !Double.isFinite(metrics.get("loss/policy"));
    if (skip) {
      skippedTotal++;
      optimizer.zeroGradients();
    } else {
      double scale = options.gradClip() > 0 && gradNorm > options.gradClip() ? options.gradClip() / gradNorm : 1;
      optimizer.step(lr, scale);
    }
    metrics.put("train/grad_norm", gradNorm);
    metrics.put("train/lr", lr);
    metrics.put("train/skipped_total", (double) skippedTotal);
    metrics.put("train/trained_tokens", (double) batch.trainedTokens());
    return metrics;
  }

  private void describe(List<TrajectoryGroup> groups, List<Long> staleness, List<Long> dropped, Map<String, Double> metrics,
      double waitS, double computeS, double stepS, double elapsedS) {
    int responses = 0;
    double rewardSum = 0;
    double rewardSq = 0;
    int solved = 0;
    long responseTokens = 0;
    for (TrajectoryGroup g : groups) {
      for (Trajectory t : g.trajectories()) {
        responses++;
        rewardSum += t.reward();
        rewardSq += t.reward() * t.reward();
        solved += t.reward() >= 1.0 ? 1 : 0;
        responseTokens += t.responseTokens().length;
      }
    }
    double mean = rewardSum / responses;
    metrics.put("version", (double) version);
    metrics.put("rollout/reward_mean", mean);
    metrics.put("rollout/reward_std", Math.sqrt(Math.max(0, rewardSq / responses - mean * mean)));
    metrics.put("rollout/solve_rate", (double) solved / responses);
    metrics.put("rollout/response_len_mean", (double) responseTokens / responses);
    metrics.put("staleness/mean", staleness.stream().mapToLong(Long::longValue).average().orElse(0));
    metrics.put("staleness/max", (double) staleness.stream().mapToLong(Long::longValue).max().orElse(0));
    metrics.put("staleness/dropped", (double) dropped.size());
    metrics.put("staleness/dropped_total", (double) droppedTotal);
    metrics.put("store/buffered", (double) store.buffered());
    metrics.put("memory/trainer_native_arrays", (double) policy.managedArrayCount());
    metrics.put("perf/wait_s", waitS);
    metrics.put("perf/train_s", computeS);
    metrics.put("perf/step_s", stepS);
    metrics.put("perf/samples_per_s", responses / stepS);
    metrics.put("perf/tokens_per_s", responseTokens / stepS);
    metrics.put("time/elapsed_s", elapsedS);
  }

  /** A scalar array's value, whatever its float type. */
  static double scalar(NDArray a) {
    return a.toType(DataType.FLOAT64, false).getDouble();
  }

  public long version() {
    return version;
  }
}
