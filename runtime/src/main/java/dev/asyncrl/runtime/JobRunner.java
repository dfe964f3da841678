package dev.asyncrl.runtime;

import ai.djl.Device;
import dev.asyncrl.algorithms.Algorithm;
import dev.asyncrl.algorithms.AlgorithmRegistry;
import dev.asyncrl.core.BadInputException;
import dev.asyncrl.core.BuildInfo;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.core.FileTrees;
import dev.asyncrl.core.JsonLines;
import dev.asyncrl.core.metrics.JsonlMetricsSink;
import dev.asyncrl.datastore.InMemoryTrajectoryStore;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.TrajectoryStore;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.datastore.kafka.KafkaSettings;
import dev.asyncrl.datastore.kafka.KafkaTrajectoryStore;
import dev.asyncrl.datastore.kafka.TrajectoryLogEnd;
import dev.asyncrl.experiments.MetricsPlot;
import dev.asyncrl.experiments.RunReport;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.gpu.DeviceSpec;
import dev.asyncrl.gpu.Placement;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.rollout.EnvironmentProvider;
import dev.asyncrl.rollout.EpisodeEvaluator;
import dev.asyncrl.rollout.Evaluator;
import dev.asyncrl.rollout.EpisodeFailures;
import dev.asyncrl.rollout.RolloutPool;
import dev.asyncrl.rollout.RolloutWorker;
import dev.asyncrl.runtime.weights.CheckpointPublisher;
import dev.asyncrl.runtime.weights.KafkaWeightAnnouncer;
import dev.asyncrl.runtime.weights.KafkaWeightFollower;
import dev.asyncrl.runtime.weights.RemoteWeights;
import dev.asyncrl.trainer.InProcessPublisher;
import dev.asyncrl.trainer.PolicyPublisher;
import dev.asyncrl.trainer.RolloutMonitor;
import dev.asyncrl.trainer.StepReport;
import dev.asyncrl.trainer.Trainer;
import dev.asyncrl.trainer.TrainerCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The one job runner behind every command ({@code train}, {@code launch}, {@code trainer}, {@code rollout-worker},
 * {@code sweep}). It checks a job before anything is written, owns the run folder (lock, {@code config.yaml},
 * {@code metrics.jsonl}, {@code groups.jsonl}, checkpoints, plot, exported model), resumes from the newest intact
 * checkpoint, and wires the store and the weight transport from {@code datastore.type}:
 * <ul>
 *   <li>{@code memory}: an in-process queue; the rollout workers are threads of this process and receive weights
 *       in memory;</li>
 *   <li>{@code kafka}: the durable log; the workers are threads of this process ({@link Workers#IN_PROCESS}) or
 *       separate {@code rollout-worker} processes ({@link Workers#SEPARATE_PROCESSES}) that receive each version
 *       as safetensors announced on the weights topic.</li>
 * </ul>
 */
public final class JobRunner {
  private JobRunner() {}

  /** The built-in algorithms, whose parameters make up the {@code algorithm} section of a job. */
  public static final AlgorithmRegistry ALGORITHMS = AlgorithmRegistry.builtIn();

  /** How long a trainer waits for the run folder's lock held by one that is exiting (e.g. after its launcher died). */
  static final Duration LOCK_PATIENCE = Duration.ofSeconds(5);

  /** Reads and validates a job file with {@code path=value} overrides. */
  public static JobConfig load(Path file, List<String> overrides) {
    return JobConfig.load(file, overrides, ALGORITHMS.jobSchema());
  }

  /** What to do with a run folder that already holds a run. */
  public enum Start {
    /** continue from the newest intact checkpoint (the default); a finished run is reported and left alone */
    RESUME,
    /** delete what the folder holds and start at step 0 */
    FRESH
  }

  /** Where the rollout workers of a job run. */
  public enum Workers {
    /** threads of the trainer's process */
    IN_PROCESS,
    /** separate {@code rollout-worker} processes connected through Kafka */
    SEPARATE_PROCESSES
  }

  /**
   * @param runDir   the run folder (see {@link #defaultRunDir})
   * @param progress where the progress line goes; null = none
   * @param listener also told every step's report, on the trainer thread
   */
  public record Options(Path runDir, Start start, Workers workers, ProgressLine.Target progress,
      Consumer<StepReport> listener) {

    /** The defaults: {@code <output_dir>/<name>}, resume, workers in this process, no progress line. */
    public static Options of(JobConfig job) {
      return new Options(defaultRunDir(job), Start.RESUME, Workers.IN_PROCESS, null, r -> {});
    }

    public Options withRunDir(Path dir) {
      return new Options(dir, start, workers, progress, listener);
    }

    public Options withStart(Start s) {
      return new Options(runDir, s, workers, progress, listener);
    }

    public Options withWorkers(Workers w) {
      return new Options(runDir, start, w, progress, listener);
    }

    public Options withProgress(ProgressLine.Target p) {
      return new Options(runDir, start, workers, p, listener);
    }

    public Options withListener(Consumer<StepReport> l) {
      return new Options(runDir, start, workers, progress, l);
    }
  }

  /**
   * How a run ended.
   *
   * @param resumedStep     the step the run continued from (0 = a fresh start)
   * @param lastStep        the last step trained (or found complete)
   * @param alreadyComplete the folder held a finished run; nothing was trained
   * @param lastMetrics     the last step's metrics (empty when nothing was trained)
   */
  public record Outcome(RunFolder run, int resumedStep, int lastStep, boolean alreadyComplete,
      Map<String, Double> lastMetrics) {}

  /** The run folder of a job: {@code <output_dir>/<name>}, stable so that running the job again resumes it. */
  public static Path defaultRunDir(JobConfig job) {
    return job.outputDir().resolve(job.get(JobSchema.NAME));
  }

  /**
   * Every check that can be made without training, in the order a run would meet them: the output folder, the
   * model, tokenizer, data and their fit ({@link JobModel#of}), the devices, and with {@code broker} (for
   * {@code datastore.type: kafka}) the broker. Each problem is a one-line {@link BadInputException}.
   */
  public static void check(JobConfig job, boolean broker) {
    RunFolder.checkOutputDir(job);
    try (JobModel model = JobModel.of(job)) {
      placement(job, model, true, 0, job.get(JobSchema.WORKERS));
      model.checkEnvironment();
    }
    if (broker && job.isKafka()) {
      checkReachable(job, kafka(job));
    }
  }

  /**
   * The newest step an intact checkpoint under {@code runDir} holds, or 0. A run whose step equals
   * {@code trainer.steps} is complete.
   */
  public static int checkpointedStep(Path runDir) {
    return stepOf(TrainerCheckpoint.latestIntact(new RunFolder(runDir).checkpoints(), w -> {}));
  }

  private static int stepOf(Optional<Path> checkpoint) {
    return checkpoint.map(p -> TrainerCheckpoint.state(p).step()).orElse(0);
  }

  /** What every command says about a run folder that holds a finished run. */
  public static String completeMessage(Path runDir, int step, int steps) {
    return "run " + runDir + " is already complete (step " + step + " of " + steps + "); nothing to do (--fresh "
        + "starts it over)";
  }

  /**
   * Trains {@code job} in its run folder to {@code trainer.steps}: checks first (a bad job leaves nothing
   * behind), holds the folder's lock, resumes or starts fresh, writes the ledger, metrics and checkpoints, and at
   * the end the plot and the exported model.
   */
  public static Outcome train(JobConfig job, Options options, Consumer<String> log) throws InterruptedException {
    return train(job, options, log, null);
  }

  /** As above; {@code memoryStore}, when given, replaces the in-memory store (tests observe what is appended). */
  static Outcome train(JobConfig job, Options options, Consumer<String> log, TrajectoryStore memoryStore)
      throws InterruptedException {
    RunFolder.checkOutputDir(job);
    KafkaSettings kafka = null;
    if (job.isKafka()) {
      kafka = kafka(job);
      checkReachable(job, kafka);
    } else if (options.workers() == Workers.SEPARATE_PROCESSES) {
      throw job.settings().error(JobSchema.STORE, "separate rollout-worker processes need datastore.type: kafka, got '"
          + job.settings().formatted(JobSchema.STORE) + "'");
    }
    RunFolder run = new RunFolder(options.runDir().toAbsolutePath());
    boolean existed = Files.isDirectory(run.dir());
    try (JobModel model = JobModel.of(job)) {
      DevicePlan devices = placement(job, model, true, 0,
          options.workers() == Workers.IN_PROCESS ? job.get(JobSchema.WORKERS) : 0);
      if (options.workers() == Workers.IN_PROCESS) {
        model.checkEnvironment(); // this process plays the episodes: a first observation too long fails here
      }
      Outcome outcome;
      try (RunLock lock = RunLock.acquire(run.dir(), "trainer", LOCK_PATIENCE)) {
        outcome = trainHoldingLock(job, model, devices, kafka, run, options, log, memoryStore);
      } catch (RuntimeException | Error | InterruptedException e) {
        if (!existed && !run.hasTrained()) {
          run.delete(); // a run that never trained a step leaves nothing behind
        }
        throw e;
      }
      return outcome;
    }
  }

  private static Outcome trainHoldingLock(JobConfig job, JobModel model, DevicePlan devices, KafkaSettings kafka,
      RunFolder run, Options options, Consumer<String> log, TrajectoryStore memoryStore) throws InterruptedException {
    if (options.start() == Start.FRESH) {
      clear(run.dir());
    }
    int steps = job.get(JobSchema.STEPS);
    Optional<Path> latest = TrainerCheckpoint.latestIntact(run.checkpoints(), log);
    int resumedStep = stepOf(latest);
    if (resumedStep >= steps) {
      log.accept(completeMessage(run.dir(), resumedStep, steps));
      return new Outcome(run, resumedStep, resumedStep, true, Map.of());
    }
    if (resumedStep == 0 && job.get(JobSchema.CHECKPOINT_EVERY) == 0 && options.workers() == Workers.SEPARATE_PROCESSES) {
      log.accept("warning: trainer.checkpoint_every is 0, so a restarted trainer starts over from step 0");
    }
    write(run.config(), "# written by " + BuildInfo.describe() + "\n" + job.resolvedYaml());
    log.accept(BuildInfo.describe());
    // Steps after the checkpoint are trained again: the logs keep each step once.
    JsonLines.truncateAfterStep(run.metrics(), resumedStep);
    JsonLines.truncateAfterStep(run.ledger(), resumedStep);
    JsonLines.truncateAfterStep(run.samples(), resumedStep);
    ProgressLine progress = options.progress() == null ? null : new ProgressLine(options.progress(), steps);
    AtomicReference<StepReport> last = new AtomicReference<>();
    try (JsonlMetricsSink metrics = new JsonlMetricsSink(run.metrics());
         GroupLedger ledger = new GroupLedger(run.ledger());
         SampleLog samples = job.get(JobSchema.LOG_SAMPLES) == 0 ? null
             : new SampleLog(run.samples(), model.tokenizer(), job.get(JobSchema.LOG_SAMPLES));
         PrometheusEndpoint prometheus = PrometheusEndpoint.start(job.get(JobSchema.PROMETHEUS_PORT),
             job.get(JobSchema.NAME), "trainer");
         TensorBoardLog tensorboard = job.get(JobSchema.TENSORBOARD) ? new TensorBoardLog(run.tensorboard(), resumedStep)
             : null) {
      if (prometheus != null) {
        log.accept("Prometheus metrics: http://localhost:" + prometheus.port() + "/metrics");
      }
      int keep = job.get(JobSchema.KEEP_CHECKPOINTS);
      Consumer<StepReport> onStep = report -> {
        if (keep > 0) {
          TrainerCheckpoint.prune(run.checkpoints(), keep);
        }
        ledger.record(report);
        metrics.record(report.step(), report.metrics());
        if (samples != null) {
          samples.record(report);
        }
        if (tensorboard != null) {
          tensorboard.record(report.step(), report.metrics());
        }
        if (prometheus != null) {
          Map<String, Double> exported = new LinkedHashMap<>(report.metrics());
          exported.put("step", (double) report.step());
          exported.put("version", (double) report.version());
          prometheus.record(exported);
        }
        if (progress != null) {
          progress.update(report);
        }
        last.set(report);
        options.listener().accept(report);
      };
      wire(job, model, devices, kafka, memoryStore, run, latest, options.workers(), onStep, log);
      if (keep > 0) {
        TrainerCheckpoint.prune(run.checkpoints(), keep); // the last step's checkpoint came after its report
      }
    } finally {
      if (progress != null) {
        progress.close();
      }
      if (last.get() != null) {
        MetricsPlot.renderIfPossible(run.metrics(), run.plot(), job.get(JobSchema.NAME) + " (max_staleness "
            + job.get(JobSchema.MAX_STALENESS) + ")", log);
        RunReport.writeIfPossible(run.metrics(), run.report(), job.get(JobSchema.NAME), job.get(JobSchema.ALGORITHM)
            + ", max_staleness " + job.get(JobSchema.MAX_STALENESS) + " · " + BuildInfo.describe(), log);
      }
    }
    StepReport lastReport = last.get();
    return lastReport == null ? new Outcome(run, resumedStep, resumedStep, false, Map.of())
        : new Outcome(run, resumedStep, lastReport.step(), false, lastReport.metrics());
  }

  /** Builds the trainer side (and in-process workers), resumes from {@code checkpoint} if any, and runs. */
  private static void wire(JobConfig job, JobModel model, DevicePlan devices, KafkaSettings kafka,
      TrajectoryStore memoryStore, RunFolder run, Optional<Path> checkpoint, Workers where,
      Consumer<StepReport> onStep, Consumer<String> log) throws InterruptedException {
    Placement placement = devices.start(log);
    Algorithm algorithm = ALGORITHMS.create(job.get(JobSchema.ALGORITHM), job.settings());
    if (kafka != null) {
      kafka.ensureTopics();
    }
    List<AutoCloseable> opened = new ArrayList<>(); // closed in reverse order
    try (TrainerParts parts = TrainerParts.create(job, model, algorithm, placement, log)) {
      TrajectoryStore store = kafka != null ? new KafkaTrajectoryStore(kafka)
          : memoryStore != null ? memoryStore : new InMemoryTrajectoryStore(job.get(JobSchema.STORE_CAPACITY));
      opened.add(store);
      PolicyPublisher publisher;
      RolloutMonitor monitor = RolloutMonitor.NONE;
      RolloutPool pool = null;
      if (where == Workers.IN_PROCESS) {
        WeightChannel<PolicyWeights> channel = weightChannel(job);
        opened.add(channel::close);
        StalenessGate gate = new StalenessGate(job.get(JobSchema.MAX_STALENESS), job.get(JobSchema.GROUPS_PER_STEP));
        publisher = new InProcessPublisher(channel, gate);
        // Workers append through their own client when the store is Kafka, as a worker process would.
        TrajectoryStore workerStore = store;
        long firstSequence = GroupLedger.nextSequence(run.ledger());
        if (kafka != null) {
          workerStore = new KafkaTrajectoryStore(kafka);
          opened.add(workerStore);
          firstSequence = Math.max(firstSequence, TrajectoryLogEnd.of(kafka));
        }
        EpisodeFailures failures = new EpisodeFailures(job.get(JobSchema.MAX_FAILED_EPISODES), log);
        RolloutPool workers = new RolloutPool(rolloutWorkers(job, model, placement, 0, firstSequence,
            failures, channel, gate, workerStore, opened), gate);
        opened.add(workers);
        monitor = RolloutMonitor.of(workers::failure, () -> {
          Map<String, Double> m = new LinkedHashMap<>(workers.stats());
          m.put("rollout/failed_episodes", (double) failures.count());
          return m;
        });
        pool = workers;
      } else {
        KafkaWeightAnnouncer announcer = new KafkaWeightAnnouncer(kafka);
        opened.add(announcer);
        // Workers may read a version up to rollout.lag behind the newest while the next two are written.
        publisher = new CheckpointPublisher(announcer, weightsDir(job, run.dir()), job.get(JobSchema.LAG) + 3, store);
      }
      Trainer trainer = parts.trainer(run.checkpoints(), store, publisher, monitor, onStep);
      Optional<Trainer.Evaluation> evaluation = evaluation(job, model, log);
      evaluation.ifPresent(e -> trainer.evaluateEvery(job.get(JobSchema.EVAL_EVERY), e));
      FaultDrill.fromSystemProperty().ifPresent(trainer::drill);
      if (checkpoint.isPresent()) {
        TrainerCheckpoint.State state = trainer.resume(checkpoint.get());
        log.accept("resumed from " + checkpoint.get() + ": step " + state.step() + ", policy version " + state.version()
            + ", " + state.position().consumed() + " groups consumed");
      } else {
        if (kafka != null) {
          log.accept("no checkpoint in " + run.checkpoints() + ": starting at step 0 (reading topic '" + kafka.topic() + "')");
        }
        if (job.get(JobSchema.SFT_STEPS) > 0) {
          WarmUpPhase.run(job, model, parts, run.sft(), evaluation, log);
        }
      }
      trainer.publishInitial();
      if (pool != null) {
        pool.start();
      }
      trainer.run();
      parts.exportModel(run.dir(), log);
    } finally {
      closeAll(opened);
    }
  }

  /** The versions a worker may load: with {@code rollout.lag = k} it reads k behind the newest, so k + 2 are kept. */
  private static WeightChannel<PolicyWeights> weightChannel(JobConfig job) {
    return new WeightChannel<>(job.get(JobSchema.LAG) + 2, PolicyWeights::close);
  }

  /**
   * {@code rollout.workers} rollout workers with ids from {@code firstId}, each with its own copy of the model
   * ({@link JobModel#rolloutPolicy}) on its device of the placement; the copies are added to {@code opened}, which the caller closes.
   */
  private static List<RolloutWorker> rolloutWorkers(JobConfig job, JobModel model, Placement placement, int firstId,
      long firstSequence, EpisodeFailures failures, WeightChannel<PolicyWeights> channel, StalenessGate gate,
      TrajectoryStore store, List<AutoCloseable> opened) {
    List<RolloutWorker> workers = new ArrayList<>();
    for (int j = 0; j < job.get(JobSchema.WORKERS); j++) {
      TransformerPolicy policy = model.rolloutPolicy(placement.rolloutDevice(firstId + j));
      opened.add(policy);
      workers.add(new RolloutWorker(workerSetup(job, model, firstId + j, policy, firstSequence, failures), channel,
          gate, store));
    }
    return workers;
  }

  /** Closes in reverse order of opening: the worker pool first, so no worker appends to a closed store. */
  private static void closeAll(List<AutoCloseable> opened) {
    RuntimeException first = null;
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * Runs one rollout-worker process ({@code rollout.workers} threads) of a job whose trainer runs elsewhere, until
   * the trainer announces its last step.
   *
   * @param process   index of this worker process; worker ids are {@code process * rollout.workers + j}
   * @param processes how many worker processes share the run (each admits its share of the free slots)
   */
  public static void workers(JobConfig job, int process, int processes, Consumer<String> log) throws InterruptedException {
    if (!job.isKafka()) {
      throw job.settings().error(JobSchema.STORE, "a rollout-worker process needs datastore.type: kafka, got '"
          + job.settings().formatted(JobSchema.STORE) + "'");
    }
    KafkaSettings kafka = kafka(job);
    checkReachable(job, kafka);
    kafka.ensureTopics();
    StalenessGate gate = new StalenessGate(job.get(JobSchema.MAX_STALENESS), job.get(JobSchema.GROUPS_PER_STEP));
    gate.shareWith(processes);
    WeightChannel<PolicyWeights> channel = weightChannel(job);
    List<AutoCloseable> policies = new ArrayList<>();
    EpisodeFailures failures = new EpisodeFailures(job.get(JobSchema.MAX_FAILED_EPISODES), log);
    try (JobModel model = JobModel.of(job);
         KafkaWeightFollower follower = new KafkaWeightFollower(kafka);
         KafkaTrajectoryStore store = new KafkaTrajectoryStore(kafka)) {
      Placement placement = placement(job, model, false, process * job.get(JobSchema.WORKERS), job.get(JobSchema.WORKERS))
          .start(log);
      // Group ids continue after everything already in the log, so a restarted worker never repeats one.
      long firstSequence = follower.logEnd();
      RemoteWeights remote = new RemoteWeights(follower, channel, gate,
          placement.rolloutDevice(process * job.get(JobSchema.WORKERS)), log);
      gate.refreshBeforeAdmission(remote::refresh);
      Thread link = new Thread(remote, "weights-follower");
      link.setDaemon(true);
      link.start();
      int perProcess = job.get(JobSchema.WORKERS);
      List<RolloutWorker> workers = rolloutWorkers(job, model, placement, process * perProcess, firstSequence,
          failures, channel, gate, store, policies);
      log.accept("rollout-worker process " + process + ": " + perProcess + " worker(s), group ids from sequence "
          + firstSequence + ", waiting for the trainer's first policy version");
      int port = job.get(JobSchema.PROMETHEUS_PORT);
      try (RolloutPool pool = new RolloutPool(workers, gate);
           PrometheusEndpoint prometheus = PrometheusEndpoint.start(port == 0 ? 0 : port + 1 + process,
               job.get(JobSchema.NAME), "rollout-worker-" + process)) {
        if (prometheus != null) {
          log.accept("Prometheus metrics: http://localhost:" + prometheus.port() + "/metrics");
        }
        pool.start();
        while (!remote.done()) {
          if (prometheus != null) {
            prometheus.record(pool.stats());
          }
          if (remote.failure() != null) {
            throw new IllegalStateException("following the trainer failed: " + remote.failure(), remote.failure());
          }
          if (pool.failure().isPresent()) {
            throw new IllegalStateException("a rollout worker failed: " + pool.failure().get(), pool.failure().get());
          }
          Thread.sleep(50);
        }
        log.accept("the trainer finished; stopping");
      } finally {
        remote.stop();
        link.join(10_000); // the follower's consumer must be idle before it is closed
      }
      store.flush();
    } finally {
      policies.add(channel::close);
      closeAll(policies);
    }
  }

  /** The Kafka settings of a job with {@code datastore.type: kafka}. */
  public static KafkaSettings kafka(JobConfig job) {
    return new KafkaSettings(job.get(JobSchema.KAFKA_BOOTSTRAP), job.kafkaTopic(), job.get(JobSchema.KAFKA_PARTITIONS),
        job.get(JobSchema.KAFKA_REPLICATION).shortValue(), job.settings().formatted(JobSchema.KAFKA_COMPRESSION), job.kafkaClient());
  }

  /** Fails within {@code datastore.connect_timeout_s}, naming {@code datastore.bootstrap}, when no broker answers. */
  public static void checkReachable(JobConfig job, KafkaSettings kafka) {
    try {
      kafka.checkReachable(Duration.ofSeconds(job.get(JobSchema.KAFKA_CONNECT_TIMEOUT)));
    } catch (IllegalStateException e) {
      throw job.settings().error(JobSchema.KAFKA_BOOTSTRAP, e.getMessage() + "; is the broker running, and is "
          + "datastore.bootstrap its address?");
    }
  }

  /** The weights folder: {@code datastore.weights_dir}, or {@code <run folder>/weights}. */
  static Path weightsDir(JobConfig job, Path runDir) {
    String configured = job.get(JobSchema.WEIGHTS_DIR);
    return configured.isEmpty() ? runDir.resolve("weights") : Path.of(configured);
  }

  /**
   * Held-out evaluation, for every {@code task.eval_every} steps, when configured: a single-turn task's held-out
   * problems, or episodes (an environment's instances {@code 0 .. task.eval_size - 1}, 64 by default; a task's
   * held-out problems played with its tools) to the longest horizon.
   */
  private static Optional<Trainer.Evaluation> evaluation(JobConfig job, JobModel model, Consumer<String> log) {
    if (job.get(JobSchema.EVAL_EVERY) == 0) {
      return Optional.empty();
    }
    int maxNew = job.get(JobSchema.MAX_NEW_TOKENS);
    Optional<EnvironmentProvider> episodes = model.evaluationEnvironments();
    if (episodes.isEmpty()) {
      Evaluator evaluator = new Evaluator(model.task().orElseThrow(), model.prompting(), maxNew, 32);
      return Optional.of(evaluator::evaluate);
    }
    int n = model.task().map(t -> t.evaluationSet().size())
        .orElse(job.get(JobSchema.EVAL_SIZE) > 0 ? job.get(JobSchema.EVAL_SIZE) : 64);
    EpisodeEvaluator evaluator = new EpisodeEvaluator(episodes.get(), model.prompting(), n, model.horizon().last(),
        job.get(JobSchema.MAX_SEQ_LEN) - 1, maxNew, 32, log);
    return Optional.of(evaluator::evaluate);
  }

  /** Where the trainer and the rollout workers compute, and each device's memory plan for this process. */
  record DevicePlan(Placement placement, String memoryPlan) {
    /** Sets the thread count and logs where everything runs; returns the placement. */
    Placement start(Consumer<String> log) {
      ComputeThread.setIntraOpThreads(placement.threads());
      log.accept(placement.report());
      log.accept(memoryPlan);
      return placement;
    }
  }

  /**
   * Where the trainer and the rollout workers compute, from {@code devices}, checked against what each device
   * has for what this process puts there: the trainer when {@code trainerHere}, and workers {@code firstWorker ..
   * firstWorker + workers - 1}. Errors name the key.
   */
  static DevicePlan placement(JobConfig job, JobModel model, boolean trainerHere, int firstWorker, int workers) {
    int gpus = Placement.visibleGpus();
    Device trainer;
    try {
      trainer = DeviceSpec.trainer(job.get(JobSchema.TRAINER_DEVICE), gpus);
    } catch (IllegalArgumentException e) {
      throw job.settings().error(JobSchema.TRAINER_DEVICE, e.getMessage());
    }
    List<Device> rollout;
    try {
      rollout = DeviceSpec.rollout(job.get(JobSchema.ROLLOUT_DEVICE), gpus, trainer);
    } catch (IllegalArgumentException e) {
      throw job.settings().error(JobSchema.ROLLOUT_DEVICE, e.getMessage());
    }
    Placement placement = Placement.of(trainer, rollout, job.get(JobSchema.THREADS), gpus);
    ModelFootprint footprint = model.footprint();
    Map<Device, ModelFootprint.Load> loads = ModelFootprint.perDevice(placement, trainerHere, firstWorker, workers);
    footprint.check(job, loads, Placement::freeBytes);
    return new DevicePlan(placement, footprint.plan(loads));
  }

  /**
   * Rollout worker {@code id}'s setup; its group ids start at {@code firstSequence}, after every id the run has
   * used, so a resumed or restarted worker never reuses one.
   */
  static RolloutWorker.Setup workerSetup(JobConfig job, JobModel model, int id, TransformerPolicy policy,
      long firstSequence, EpisodeFailures failures) {
    SamplingParams sampling = new SamplingParams(job.get(JobSchema.MAX_NEW_TOKENS), job.get(JobSchema.TEMPERATURE), job.get(JobSchema.TOP_K), job.get(JobSchema.TOP_P),
        model.tokenizer().stopTokens());
    return new RolloutWorker.Setup(id, policy, model.environments(), model.prompting(), sampling, job.get(JobSchema.GROUP_SIZE),
        job.slots(), model.longestPrompt(), job.get(JobSchema.MAX_SEQ_LEN), model.horizon(),
        job.get(JobSchema.ENV_LATENCY), job.partial(), job.get(JobSchema.LAG),
        job.get(JobSchema.SEED) * 1_000_003L + id + 1 + firstSequence, firstSequence, failures);
  }

  /** Empties a run folder for a fresh start, keeping only the locks (which the caller holds). */
  public static void clear(Path runDir) {
    if (!Files.isDirectory(runDir)) {
      return;
    }
    try (Stream<Path> entries = Files.list(runDir)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        if (!p.getFileName().toString().endsWith(".lock")) {
          FileTrees.delete(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear " + runDir + " for a fresh start: " + e.getMessage(), e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
