package dev.asyncrl.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.asyncrl.algorithms.Advantages;
import dev.asyncrl.algorithms.Algorithm;
import dev.asyncrl.algorithms.LossInputs;
import dev.asyncrl.algorithms.LossResult;
import dev.asyncrl.algorithms.SequenceWeights;
import dev.asyncrl.algorithms.TrajectoryStats;
import dev.asyncrl.core.HorizonSchedule;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.gpu.Autograd;
import dev.asyncrl.datastore.StorePosition;
import dev.asyncrl.datastore.TrajectoryStore;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.model.TransformerPolicy.Scoring;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The training loop. Each step: take {@code B} groups from the store in arrival order (dropping and
 * counting any older than the staleness bound, skipping those the algorithm's group filter rejects), then
 * for each of the {@code M} mini-batches compute advantages and the loss, step AdamW with global-norm
 * clipping and the algorithm's learning-rate factor; publish version {@code v+1}, report, and checkpoint
 * when due.
 *
 * <p>The report goes to the listener (which appends the step's ledger and metrics lines) <em>before</em> the
 * checkpoint that covers the step is written. A checkpoint holds the store position, which is committed to
 * the store right after it is written; {@link #resume} continues from one, and the caller cuts the lines of
 * steps after it (they are redone). So a process killed at any instant leaves every step's lines exactly
 * once after the resume: lines written but not yet checkpointed are cut and redone; a checkpoint never
 * exists without the lines of the steps it covers.
 */
public final class Trainer {

  /**
   * @param maxStaleness   the drop bound: {@code max_staleness + rollout.lag}
   * @param miniBatches    optimizer updates per pass over a step's groups; must divide {@code groupsPerStep}
   * @param epochs         passes over a step's groups (PPO epochs): {@code miniBatches × epochs} updates a step
   * @param microBatchRows responses per forward/backward pass; a mini-batch with more is split and its gradient
   *                       accumulated (0 = the whole mini-batch in one pass)
   * @param temperature    the rollout temperature; ℓθ is computed from the same tempered logits as ℓμ
   * @param maxResponseLen {@code C} for length-normalised aggregation: the most tokens the model samples in one
   *                       episode (max_new_tokens × the longest horizon)
   * @param horizon        the most turns an episode may take, by step (logged as {@code rollout/max_turns})
   * @param checkpointDir  where {@code step-N} folders go; null = no checkpoints
   * @param maxNonfiniteSteps the run stops with an error after this many consecutive steps whose loss or gradient
   *                       was not finite (each such update is skipped)
   */
  public record Options(int steps, int groupsPerStep, int miniBatches, int epochs, int microBatchRows, int maxStaleness,
      double temperature, int maxResponseLen, HorizonSchedule horizon, LearningRateSchedule lr, double gradClip,
      int checkpointEvery, Path checkpointDir, int maxNonfiniteSteps) {}

  /** Instants of a step, in order, at which a fault drill may stop the process ({@link #drill}). */
  public enum Instant {
    /** the step's report went to the listener; no checkpoint covers the step yet */
    RECORDED,
    /** the checkpoint's files are written into its temporary folder, which is not yet renamed into place */
    CHECKPOINT_WRITTEN,
    /** the checkpoint folder is in place; the store position is not yet committed */
    CHECKPOINTED,
    /** the store position is committed */
    COMMITTED
  }

  /** Called at each {@link Instant} of each step; a fault drill halts the process at a chosen one. */
  public interface Drill {
    void at(Instant instant, int step);
  }

  private static final Duration POLL = Duration.ofMillis(100);

  /** Scores the current policy (e.g. held-out accuracy); runs on the trainer thread between steps. */
  public interface Evaluation {
    Map<String, Double> evaluate(TransformerPolicy policy);
  }

  private Evaluation evaluation;
  private int evaluateEvery;
  private Drill drill = (instant, step) -> {};

  private final Options options;
  private final TransformerPolicy policy;
  private final TransformerPolicy reference;
  private final AdamW optimizer;
  private final Algorithm algorithm;
  private final TrajectoryStore store;
  private final PolicyPublisher publisher;
  private final RolloutMonitor rollout;
  private final Consumer<StepReport> listener;
  private int completedSteps;
  private long version;
  private long freedAnnounced;
  private long droppedTotal;
  private long filteredTotal;
  private int skippedTotal;
  private int nonfiniteUpdates;
  private int nonfiniteStreak;

  /** @param reference the frozen reference model for the KL penalty; null when the algorithm needs none */
  public Trainer(Options options, TransformerPolicy policy, TransformerPolicy reference, AdamW optimizer,
      Algorithm algorithm, TrajectoryStore store, PolicyPublisher publisher, RolloutMonitor rollout, Consumer<StepReport> listener) {
    if (algorithm.needsReferenceModel() && reference == null) {
      throw new IllegalArgumentException("algorithm " + algorithm.name() + " has a KL penalty but no reference model was given");
    }
    if (options.groupsPerStep() % options.miniBatches() != 0) {
      throw new IllegalArgumentException("mini-batches must divide groups per step");
    }
    this.options = options;
    this.policy = policy;
    this.reference = reference;
    this.optimizer = optimizer;
    this.algorithm = algorithm;
    this.store = store;
    this.publisher = publisher;
    this.rollout = rollout;
    this.listener = listener;
  }

  /**
   * Runs {@code evaluation} after every {@code every}-th step and after the last; its metrics join that
   * step's report (with {@code eval/time_s}).
   */
  public void evaluateEvery(int every, Evaluation evaluation) {
    this.evaluateEvery = every;
    this.evaluation = evaluation;
  }

  /** Fault drills only: {@code drill} sees every {@link Instant} of every step. */
  public void drill(Drill drill) {
    this.drill = drill;
  }

  /**
   * Continues from the checkpoint folder {@code dir}: weights, optimizer state, step, version, drop counters,
   * and the store position. Call before {@link #publishInitial}.
   *
   * @return the restored state
   */
  public TrainerCheckpoint.State resume(Path dir) {
    ComputeThread.inferenceOnly(); // copying into trainable parameters must not be recorded by autograd
    TrainerCheckpoint.State state = TrainerCheckpoint.load(dir, policy, optimizer);
    completedSteps = state.step();
    version = state.version();
    droppedTotal = state.droppedTotal();
    filteredTotal = state.filteredTotal();
    store.seek(state.position());
    return state;
  }

  /**
   * Publishes the current weights (version 0, or the resumed version) and the freed-slot count; call before
   * the workers start.
   */
  public void publishInitial() {
    ComputeThread.inferenceOnly();
    publisher.publish(version, policy);
    announceFreed();
  }

  public void run() throws InterruptedException {
    ComputeThread.inferenceOnly(); // autograd only inside the gradient collector
    long runStart = System.nanoTime();
    long lastPublish = runStart;
    for (int step = completedSteps + 1; step <= options.steps(); step++) {
      List<TrajectoryGroup> groups = new ArrayList<>(options.groupsPerStep());
      List<Long> dropped = new ArrayList<>();
      List<Long> filtered = new ArrayList<>();
      long waitStart = System.nanoTime();
      collect(groups, dropped, filtered);
      long computeStart = System.nanoTime();
      Map<String, Double> metrics = update(groups, step);
      List<Long> staleness = groups.stream().map(g -> g.staleness(version)).toList();
      version++;
      publisher.publish(version, policy);
      long now = System.nanoTime();
      if (evaluation != null && evaluateEvery > 0 && (step % evaluateEvery == 0 || step == options.steps())) {
        long evalStart = System.nanoTime();
        metrics.putAll(evaluation.evaluate(policy));
        metrics.put("eval/time_s", (System.nanoTime() - evalStart) / 1e9);
      }
      metrics.put("train/filtered_groups", (double) filtered.size());
      metrics.put("train/filtered_groups_total", (double) filteredTotal);
      metrics.putAll(rollout.metrics());
      describe(groups, staleness, dropped, metrics, (computeStart - waitStart) / 1e9, (now - computeStart) / 1e9,
          (now - lastPublish) / 1e9, (now - runStart) / 1e9);
      lastPublish = now;
      StepReport report = new StepReport(step, version, groups.stream().map(TrajectoryGroup::groupId).toList(),
          dropped, filtered, staleness, metrics, List.copyOf(groups));
      listener.accept(report);
      drill.at(Instant.RECORDED, step);
      if (options.checkpointDir() != null
          && (step == options.steps() || options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0)) {
        StorePosition position = store.position();
        int s = step;
        TrainerCheckpoint.save(options.checkpointDir(), new TrainerCheckpoint.State(step, version, optimizer.stepCount(),
            position, droppedTotal, filteredTotal), policy, optimizer, () -> drill.at(Instant.CHECKPOINT_WRITTEN, s));
        drill.at(Instant.CHECKPOINTED, step);
        store.commit(position);
        drill.at(Instant.COMMITTED, step);
      }
      completedSteps = step;
      checkFinite(step, metrics);
    }
    publisher.finished();
  }

  /**
   * Stops the run once {@code maxNonfiniteSteps} consecutive steps had a non-finite loss or gradient: their
   * updates were skipped, so the run would otherwise finish "green" without learning anything.
   */
  private void checkFinite(int step, Map<String, Double> metrics) {
    nonfiniteStreak = nonfiniteUpdates > 0 ? nonfiniteStreak + 1 : 0;
    nonfiniteUpdates = 0;
    if (nonfiniteStreak >= options.maxNonfiniteSteps()) {
      throw new TrainingDivergedException("the loss or gradient was not finite for " + nonfiniteStreak
          + " consecutive steps (trainer.max_nonfinite_steps = " + options.maxNonfiniteSteps() + "), the last at step "
          + step + ": loss/policy " + metrics.get("loss/policy") + ", train/grad_norm " + metrics.get("train/grad_norm")
          + "; lower trainer.lr, or check the model's weights and the rewards");
    }
  }

  /** Tells the publisher how many groups left the run untrained, when that number grew. */
  private void announceFreed() {
    long freed = droppedTotal + filteredTotal + store.position().skipped();
    if (freed > freedAnnounced) {
      publisher.freed(freed);
      freedAnnounced = freed;
    }
  }

  /**
   * Fills {@code groups} to B, dropping (and counting) groups older than the staleness bound and skipping
   * those the algorithm's group filter rejects. Both kinds, and undecodable records the store skipped, give
   * their admission slot back.
   */
  private void collect(List<TrajectoryGroup> groups, List<Long> dropped, List<Long> filtered)
      throws InterruptedException {
    while (groups.size() < options.groupsPerStep()) {
      announceFreed(); // before a poll that may wait: slots freed by the last drop, filter or skip must be open
      TrajectoryGroup g = store.poll(POLL);
      if (g == null) {
        Optional<Throwable> failure = rollout.failure();
        if (failure.isPresent()) {
          Throwable cause = failure.get();
          throw new IllegalStateException("a rollout worker failed: "
              + (cause.getMessage() != null ? cause.getMessage() : cause.toString()), cause);
        }
        continue;
      }
      if (g.staleness(version) > options.maxStaleness()) {
        dropped.add(g.groupId());
        droppedTotal++;
      } else if (!algorithm.groups().admits(g.rewards(), filtered.size())) {
        filtered.add(g.groupId());
        filteredTotal++;
      } else {
        groups.add(g);
      }
    }
  }

  /**
   * The optimizer updates of one step on {@code groups}, one per mini-batch in each epoch, without publishing.
   * Public for benchmarks; {@link #run} is the normal entry point. Metrics are averaged over the updates.
   */
  public Map<String, Double> update(List<TrajectoryGroup> groups, int step) {
    double lr = options.lr().at(step - 1);
    int perMiniBatch = Math.max(1, groups.size() / options.miniBatches());
    List<List<TrajectoryGroup>> miniBatches = new ArrayList<>();
    for (int i = 0; i < groups.size(); i += perMiniBatch) {
      miniBatches.add(groups.subList(i, Math.min(groups.size(), i + perMiniBatch)));
    }
    int configuredRows = groups.stream().mapToInt(g -> g.trajectories().size()).sum() / miniBatches.size();
    int updates = miniBatches.size() * options.epochs();
    Map<String, Double> sums = new LinkedHashMap<>();
    List<TrainBatch> batches = miniBatches.stream().map(g -> TrainBatch.assemble(g, version)).toList();
    double[] mismatch = {0}; // Σ |ℓold − ℓμ| over the on-policy tokens of every mini-batch, in the first epoch
    try (NDScope ignored = new NDScope()) {
      // ℓold: the policy before this step's first update. With a single update it is sg(ℓθ) itself.
      List<NDArray> proximal = new ArrayList<>();
      for (TrainBatch b : batches) {
        proximal.add(updates == 1 ? null : policy.score(b.tokens(policy.manager()),
            logProbs(b.mask(policy.manager()), b.firstTrainedColumn()), options.microBatchRows()).singletonOrThrow());
      }
      for (int epoch = 0; epoch < options.epochs(); epoch++) {
        for (int i = 0; i < batches.size(); i++) {
          // Before the first update ℓθ is ℓold: the first split update reuses it instead of a forward.
          miniBatchUpdate(miniBatches.get(i), batches.get(i), proximal.get(i),
              epoch == 0 && i == 0 ? proximal.get(0) : null, lr, configuredRows, epoch == 0 ? mismatch : new double[1])
              .forEach((k, v) -> sums.merge(k, v, Double::sum));
        }
      }
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    sums.forEach((k, v) -> metrics.put(k, v / updates));
    int onPolicyTokens = batches.stream().mapToInt(TrainBatch::onPolicyTokens).sum();
    if (onPolicyTokens > 0) {
      metrics.put("rollout/logprob_mismatch", mismatch[0] / onPolicyTokens);
    }
    metrics.put("train/lr", lr);
    metrics.put("train/skipped_total", (double) skippedTotal);
    metrics.put("train/trained_tokens", (double) batches.stream().mapToInt(TrainBatch::trainedTokens).sum());
    return metrics;
  }

  /**
   * What the loss needs of the policy at the trained tokens ({@code mask [N, T-1]}, none before column
   * {@code from}): ℓθ, and H when the algorithm has an entropy bonus. Every other column is 0: no loss reads it.
   */
  private Scoring scoring(NDArray mask, int from) {
    return new Scoring(options.temperature(), from, mask, algorithm.needsEntropy());
  }

  /** Log-probabilities alone (ℓold, the reference's, a response's S_i), at the trained tokens. */
  private Scoring logProbs(NDArray mask, int from) {
    return new Scoring(options.temperature(), from, mask, false);
  }

  /** @param values {@code [ℓθ]} or {@code [ℓθ, H]}, as {@link #scoring} asks the policy for them */
  private LossResult objective(NDList values, NDArray current, NDArray proximal, NDArray behaviour,
      NDArray referenceLogProbs, TrainBatch.OnDevice on, int configuredRows) {
    return algorithm.objective(new LossInputs(values.get(0), current, proximal == null ? current : proximal, behaviour,
        referenceLogProbs, values.size() > 1 ? values.get(1) : null, on.advantages(), on.mask(),
        options.maxResponseLen(), configuredRows));
  }

  /**
   * @param known    ℓθ of this batch at the current weights when already computed, else null
   * @param mismatch {@code [0]} accumulates Σ |ℓold − ℓμ| over this mini-batch's on-policy tokens
   */
  private Map<String, Double> miniBatchUpdate(List<TrajectoryGroup> groups, TrainBatch batch, NDArray proximal, NDArray known,
      double lr, int configuredRows, double[] mismatch) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    double[][] rewards = groups.stream().map(TrajectoryGroup::rewards).toArray(double[][]::new);
    TrajectoryStats stats = algorithm.advantages().needsTrajectoryStats() ? trajectoryStats(groups, batch) : null;
    Advantages advantages = algorithm.advantages().advantages(rewards, stats);
    metrics.putAll(advantages.metrics());
    DataType dtype = policy.dataType();
    NDManager m = policy.manager();
    TrainBatch.OnDevice on = batch.upload(m, dtype, advantages.values());
    NDArray tokens = on.tokens();                                                           // [N, T]
    NDArray behaviour = on.behaviour();                                                     // [N, T-1]
    NDArray mask = on.mask();
    int from = batch.firstTrainedColumn();
    NDArray referenceLogProbs = reference == null ? null
        : reference.score(tokens, logProbs(mask, from), options.microBatchRows()).singletonOrThrow();
    // What the loss differentiates, with the graph kept, in training mode: [ℓθ], or [ℓθ, H] with an entropy bonus.
    Scoring what = scoring(mask, from);
    int rows = (int) tokens.getShape().get(0);
    int micro = options.microBatchRows() <= 0 ? rows : options.microBatchRows();
    NDArray current;
    LossResult result;
    if (micro >= rows) {
      try (GradientCollector gc = Autograd.collector()) {
        NDList values = policy.trainingScore(tokens, what);                                 // [ℓθ (, H)]
        current = values.get(0).stopGradient();
        result = objective(values, current, proximal, behaviour, referenceLogProbs, on, configuredRows);
        gc.backward(result.loss());
      }
    } else {
      // Split: the loss is taken on the whole mini-batch as a function of ℓθ (and H) alone, which gives
      // g = dL/dℓθ (and dL/dH), [N, T-1] each; each chunk's forward then back-propagates its rows of g. By the chain
      // rule the parameters' gradient is the one-pass gradient, for any loss, at the cost of one forward without a
      // graph (taken without LoRA dropout, the one difference when dropout is on). The proximal pass, when there is
      // one, is that forward for the first update, unless the loss needs H too.
      NDList values = known != null && !algorithm.needsEntropy() ? new NDList(known)
          : policy.score(tokens, what, micro);
      current = values.get(0);
      NDList leaves = new NDList();
      for (NDArray v : values) {
        NDArray leaf = v.duplicate();
        leaf.setRequiresGradient(true);
        leaves.add(leaf);
      }
      try (GradientCollector gc = Autograd.collector()) {
        result = objective(leaves, current, proximal, behaviour, referenceLogProbs, on, configuredRows);
        gc.backward(result.loss());
      }
      NDArray lossGradient = NDArrays.stack(new NDList(leaves.stream().map(NDArray::getGradient).toList())); // [k, N, T-1]
      for (int r = 0; r < rows; r += micro) {
        int end = Math.min(rows, r + micro);
        try (NDScope ignored = new NDScope(); GradientCollector gc = Autograd.collector()) {
          NDArray chunk = tokens.get(new NDIndex("{}:{}", r, end));
          NDArray outputs = NDArrays.stack(policy.trainingScore(chunk, what.rows(r, end)));  // [k, rows, T-1]
          Autograd.backward(outputs, lossGradient.get(new NDIndex(":, {}:{}", r, end)));
        }
      }
    }
    // |ℓold − ℓμ| on tokens the trainer's weights at the start of the step sampled: numerics alone (a
    // half-precision rollout, a different batch shape), as no update lies between them.
    NDArray onPolicy = on.onPolicy().mul(mask);
    NDArray old = proximal == null ? current : proximal;
    // Every host value of the update comes back in one read (on a GPU, one synchronisation): the loss, the
    // algorithm's metrics (one per name), the mismatch sum, then S_i of each response.
    List<String> names = new ArrayList<>(List.of("loss/policy"));
    NDList values = new NDList(result.loss());
    result.metrics().forEach((k, v) -> {
      names.add(k);
      values.add(v);
    });
    values.add(old.sub(behaviour).abs().mul(onPolicy).sum());
    NDList flat = new NDList();
    for (NDArray v : values) {
      flat.add(v.toType(DataType.FLOAT64, false).reshape(1));
    }
    flat.add(current.sub(behaviour).mul(mask).sum(new int[] {1}).toType(DataType.FLOAT64, false)); // S_i, [N]
    double[] host = NDArrays.concat(flat).toDoubleArray();
    for (int i = 0; i < names.size(); i++) {
      metrics.put(names.get(i), host[i]);
    }
    mismatch[0] += host[names.size()];
    double[] logWeights = Arrays.copyOfRange(host, names.size() + 1, host.length);
    SequenceWeights weights = SequenceWeights.of(logWeights);
    double effectiveLr = lr * algorithm.learningRate().factor(weights.essRatio());
    double gradNorm = optimizer.gradientNorm();
    boolean nonfinite = !Double.isFinite(gradNorm) || !Double.isFinite(metrics.get("loss/policy"));
    nonfiniteUpdates += nonfinite ? 1 : 0;
    if (batch.trainedTokens() == 0 || nonfinite) {
      skippedTotal++;
      optimizer.zeroGradients();
    } else {
      optimizer.step(effectiveLr, AdamW.clipScale(gradNorm, options.gradClip()));
    }
    metrics.put("is/ess_ratio", weights.essRatio());
    metrics.put("is/weight_max", weights.max());
    metrics.put("is/weight_mean", weights.mean());
    metrics.put("train/lr_effective", effectiveLr);
    metrics.put("train/grad_norm", gradNorm);
    return metrics;
  }

  /**
   * {@code S_i} and {@code ‖∇θ log πθ(τ_i)‖²} of every response, each from its own forward and backward
   * (micro-batch 1), indexed like the groups. Gradients are zeroed after each, so the update's own backward
   * starts clean.
   */
  private TrajectoryStats trajectoryStats(List<TrajectoryGroup> groups, TrainBatch batch) {
    double[][] logWeights = new double[groups.size()][];
    double[][] gradNormSq = new double[groups.size()][];
    DataType dtype = policy.dataType();
    NDManager m = policy.manager();
    int row = 0;
    for (int g = 0; g < groups.size(); g++) {
      int k = groups.get(g).trajectories().size();
      logWeights[g] = new double[k];
      gradNormSq[g] = new double[k];
      for (int i = 0; i < k; i++, row++) {
        try (NDScope ignored = new NDScope()) {
          TrainBatch alone = batch.row(row);
          TrainBatch.OnDevice one = alone.upload(m, dtype, null);
          NDArray mask = one.mask();                                                        // [1, L-1]
          NDArray logProbs;
          try (GradientCollector gc = Autograd.collector()) {
            Scoring s = logProbs(mask, alone.firstTrainedColumn());
            logProbs = policy.score(one.tokens(), s).singletonOrThrow();                   // [1, L-1]
            gc.backward(logProbs.mul(mask).sum());                                          // log πθ(τ_i)
          }
          logWeights[g][i] = scalar(logProbs.stopGradient().sub(one.behaviour()).mul(mask).sum());
          gradNormSq[g][i] = optimizer.gradientSquaredNorm();
          optimizer.zeroGradients();
        }
      }
    }
    return new TrajectoryStats(logWeights, gradNormSq);
  }

  private void describe(List<TrajectoryGroup> groups, List<Long> staleness, List<Long> dropped, Map<String, Double> metrics,
      double waitS, double computeS, double stepS, double elapsedS) {
    int responses = 0;
    double rewardSum = 0;
    double rewardSq = 0;
    int solved = 0;
    long responseTokens = 0;
    long trainedAt = version - 1; // the version these groups were trained against (this step published version)
    long tokenStaleness = 0;
    double newestStaleness = 0;
    long turns = 0;
    long solvedTurns = 0;
    for (TrajectoryGroup g : groups) {
      for (Trajectory t : g.trajectories()) {
        responses++;
        rewardSum += t.reward();
        rewardSq += t.reward() * t.reward();
        solved += t.reward() >= 1.0 ? 1 : 0;
        responseTokens += t.modelTokens();
        turns += t.turns();
        if (t.reward() >= 1.0) {
          solvedTurns += t.turns();
        }
        tokenStaleness += t.tokenStaleness(trainedAt);
        newestStaleness += trainedAt - t.endVersion();
      }
    }
    double mean = rewardSum / responses;
    metrics.put("version", (double) version);
    metrics.put("rollout/reward_mean", mean);
    metrics.put("rollout/reward_std", Math.sqrt(Math.max(0, rewardSq / responses - mean * mean)));
    metrics.put("rollout/solve_rate", (double) solved / responses);
    metrics.put("rollout/response_len_mean", (double) responseTokens / responses);
    metrics.put("rollout/turns_mean", (double) turns / responses);
    metrics.put("rollout/solved_turns_mean", solved == 0 ? 0 : (double) solvedTurns / solved);
    metrics.put("rollout/max_turns", (double) options.horizon().at(trainedAt));
    metrics.put("staleness/mean", staleness.stream().mapToLong(Long::longValue).average().orElse(0));
    metrics.put("staleness/max", (double) staleness.stream().mapToLong(Long::longValue).max().orElse(0));
    // Partial rollouts give a response tokens of several versions; the two above count from each group's oldest.
    metrics.put("staleness/token_mean", responseTokens == 0 ? 0 : (double) tokenStaleness / responseTokens);
    metrics.put("staleness/newest_mean", newestStaleness / responses);
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
