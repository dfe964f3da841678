package dev.asyncrl.runtime;

import dev.asyncrl.algorithms.Algorithm;
import dev.asyncrl.algorithms.AlgorithmRegistry;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.datastore.InMemoryTrajectoryStore;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.TrajectoryStore;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.gpu.DeviceSpec;
import dev.asyncrl.gpu.Placement;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.model.hf.HfModel;
import dev.asyncrl.model.hf.TensorDType;
import dev.asyncrl.rollout.Evaluator;
import dev.asyncrl.rollout.InvalidRewards;
import dev.asyncrl.rollout.RolloutPool;
import dev.asyncrl.rollout.RolloutWorker;
import dev.asyncrl.trainer.AdamW;
import dev.asyncrl.trainer.InProcessPublisher;
import dev.asyncrl.trainer.LearningRateSchedule;
import dev.asyncrl.trainer.PolicyPublisher;
import dev.asyncrl.trainer.RolloutMonitor;
import dev.asyncrl.trainer.StepReport;
import dev.asyncrl.trainer.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One-machine wiring of a job: an in-memory store, rollout workers as threads, the trainer on the calling
 * thread. Everything is built from {@link JobConfig}; cross-key problems are reported as config errors.
 */
public final class LocalRun {
  private LocalRun() {}

  /** The built-in algorithms, whose parameters make up the {@code algorithm} section of a job. */
  public static final AlgorithmRegistry ALGORITHMS = AlgorithmRegistry.builtIn();

  /** Reads and validates a job file with {@code path=value} overrides. */
  public static JobConfig load(Path file, List<String> overrides) {
    return JobConfig.load(file, overrides, ALGORITHMS.jobSchema());
  }

  /** Checks that need more than one key (see {@link JobModel#of}); one-line errors naming the key. */
  public static void validate(JobConfig job) {
    JobModel.of(job).close();
  }

  /**
   * Trains {@code job} to completion.
   *
   * @param checkpointDir where checkpoints go; null = none
   * @param listener      receives every step's report on the trainer thread
   */
  public static void train(JobConfig job, Path checkpointDir, Consumer<StepReport> listener, Consumer<String> log)
      throws InterruptedException {
    try (InMemoryTrajectoryStore store = new InMemoryTrajectoryStore(job.datastore().capacity())) {
      train(job, checkpointDir, listener, log, store);
    }
  }

  /** As above, with a given trajectory store (which the caller closes). */
  public static void train(JobConfig job, Path checkpointDir, Consumer<StepReport> listener, Consumer<String> log,
      TrajectoryStore store) throws InterruptedException {
    try (JobModel model = JobModel.of(job)) {
      train(job, model, checkpointDir, listener, log, store);
    }
  }

  /** As above, with the job's model already built (and checked) by the caller, who closes it. */
  public static void train(JobConfig job, JobModel model, Path checkpointDir, Consumer<StepReport> listener,
      Consumer<String> log) throws InterruptedException {
    try (InMemoryTrajectoryStore store = new InMemoryTrajectoryStore(job.datastore().capacity())) {
      train(job, model, checkpointDir, listener, log, store);
    }
  }

  private static void train(JobConfig job, JobModel model, Path checkpointDir, Consumer<StepReport> listener,
      Consumer<String> log, TrajectoryStore store) throws InterruptedException {
    Placement placement = placement(job, log);
    Algorithm algorithm = ALGORITHMS.create(job.algorithm(), job.settings());
    var r = job.rollout();
    StalenessGate gate = new StalenessGate(job.maxStaleness(), job.trainer().groupsPerStep());
    // With rollout.lag = k, workers read the version k behind the newest, so k + 1 versions stay published.
    WeightChannel<PolicyWeights> weights = new WeightChannel<>(r.lag() + 2, PolicyWeights::close);
    List<TransformerPolicy> workerPolicies = new ArrayList<>();
    InvalidRewards invalidRewards = new InvalidRewards(r.maxInvalidRewards(), log);
    try (TrainerParts parts = TrainerParts.create(job, model, algorithm, placement, log)) {
      List<RolloutWorker> workers = new ArrayList<>();
      for (int i = 0; i < r.workers(); i++) {
        TransformerPolicy copy = model.newPolicy(placement.rollout());
        workerPolicies.add(copy);
        workers.add(new RolloutWorker(workerSetup(job, model, i, copy, 0, invalidRewards), weights, gate, store));
      }
      try (RolloutPool pool = new RolloutPool(workers, gate)) {
        RolloutMonitor monitor = RolloutMonitor.of(pool::failure,
            () -> Map.of("rollout/invalid_rewards", (double) invalidRewards.count()));
        Trainer trainer = parts.trainer(checkpointDir, store, new InProcessPublisher(weights, gate), monitor, listener);
        evaluation(job, model, trainer);
        trainer.publishInitial();
        pool.start();
        trainer.run();
      }
      parts.exportModel(checkpointDir == null ? null : checkpointDir.getParent(), log);
    } finally {
      weights.close();
      workerPolicies.forEach(TransformerPolicy::close);
    }
  }

  /** Held-out evaluation every {@code task.eval_every} steps, when configured. */
  public static void evaluation(JobConfig job, JobModel model, Trainer trainer) {
    int every = job.task().evalEvery();
    if (every > 0) {
      Evaluator evaluator = new Evaluator(model.task(), model.prompting(), job.rollout().maxNewTokens(), 32);
      trainer.evaluateEvery(every, evaluator::evaluate);
    }
  }

  /** Where the trainer and the rollout workers compute, from {@code devices}; sets the thread count. */
  public static Placement placement(JobConfig job, Consumer<String> log) {
    checkDevices(job);
    Placement placement = Placement.resolve(job.devices().trainer(), job.devices().rollout(), job.devices().threads());
    ComputeThread.setIntraOpThreads(placement.threads());
    log.accept(placement.report());
    return placement;
  }

  /** Each {@code devices.*} name against the GPUs this machine shows; a missing one is an error naming the key. */
  public static void checkDevices(JobConfig job) {
    int gpus = Placement.visibleGpus();
    for (var key : List.of(JobSchema.TRAINER_DEVICE, JobSchema.ROLLOUT_DEVICE)) {
      try {
        DeviceSpec.resolve(job.settings().get(key), gpus);
      } catch (IllegalArgumentException e) {
        throw job.settings().error(key, e.getMessage());
      }
    }
  }

  /**
   * Rollout worker {@code id}'s setup; its group ids start at {@code firstSequence} (0 in-process; the log's
   * end when a worker process starts, so a restarted worker never reuses an id).
   */
  public static RolloutWorker.Setup workerSetup(JobConfig job, JobModel model, int id, TransformerPolicy policy,
      long firstSequence, InvalidRewards invalidRewards) {
    var r = job.rollout();
    SamplingParams sampling = new SamplingParams(r.maxNewTokens(), r.temperature(), r.topK(), r.topP(),
        model.tokenizer().stopTokens());
    return new RolloutWorker.Setup(id, policy, model.task(), model.prompting(), sampling, r.groupSize(), r.slots(),
        model.longestPrompt(), r.partial(), r.lag(), job.seed() * 1_000_003L + id + 1 + firstSequence, firstSequence,
        invalidRewards);
  }

  /** The trainer's side of a job: policy, optional frozen reference, optimizer; closes the models. */
  public record TrainerParts(JobConfig job, Algorithm algorithm, TransformerPolicy policy, TransformerPolicy reference,
      AdamW optimizer) implements AutoCloseable {

    public static TrainerParts create(JobConfig job, JobModel model, Algorithm algorithm, Placement placement,
        Consumer<String> log) {
      TransformerPolicy policy = model.newPolicy(placement.trainer());
      policy.setTrainable(true);
      log.accept("model: " + policy.architecture().describe() + ", " + policy.parameterCount() + " parameters"
          + policy.lora().map(l -> ", LoRA rank " + l.rank() + " on " + l.targets() + ": "
              + policy.trainableParameterCount() + " trained").orElse(""));
      TransformerPolicy reference = null;
      if (algorithm.needsReferenceModel()) {
        // The frozen reference is the initial policy: same config, same seed, never trained.
        reference = model.basePolicy(placement.trainer());
        log.accept("reference model: initial policy, frozen (algorithm.kl_coef > 0)");
      }
      var t = job.trainer();
      AdamW optimizer = new AdamW(policy.parameters(), t.beta1(), t.beta2(), t.adamEps(), t.weightDecay());
      return new TrainerParts(job, algorithm, policy, reference, optimizer);
    }

    public Trainer trainer(Path checkpointDir, TrajectoryStore store, PolicyPublisher publisher, RolloutMonitor rollout,
        Consumer<StepReport> listener) {
      var t = job.trainer();
      var r = job.rollout();
      LearningRateSchedule lr = new LearningRateSchedule(t.lr(), t.warmupSteps(), t.steps(),
          t.lrSchedule().equals("cosine"));
      // Lagged workers start groups k versions behind, so the drop bound is max_staleness + lag.
      return new Trainer(new Trainer.Options(t.steps(), t.groupsPerStep(), t.miniBatches(),
          job.maxStaleness() + r.lag(), r.temperature(), r.maxNewTokens(), lr, t.gradClip(), t.checkpointEvery(),
          checkpointDir, t.maxNonfiniteSteps()), policy, reference, optimizer, algorithm, store, publisher, rollout, listener);
    }

    /**
     * Saves the trained model for other tools, when it came from a Hugging Face folder: {@code model/} (a
     * full model folder), or with LoRA {@code adapter/} (PEFT layout) and, with {@code lora.save_merged},
     * {@code model/} with the adapters merged in.
     */
    void exportModel(Path runDir, Consumer<String> log) {
      if (!job.pretrained().isSet() || runDir == null) {
        return;
      }
      Path source = Path.of(job.pretrained().path());
      if (policy.lora().isPresent()) {
        HfModel.saveAdapter(policy, runDir.resolve("adapter"), source);
        log.accept("saved the LoRA adapter to " + runDir.resolve("adapter"));
        if (!job.lora().saveMerged()) {
          return;
        }
      }
      HfModel.save(policy, runDir.resolve("model"), TensorDType.F32, 4L << 30, source);
      log.accept("saved the trained model to " + runDir.resolve("model"));
    }

    @Override
    public void close() {
      policy.close();
      if (reference != null) {
        reference.close();
      }
    }
  }
}
