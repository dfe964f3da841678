package dev.asyncrl.runtime;

import dev.asyncrl.runtime.weights.CheckpointPublisher;
import dev.asyncrl.runtime.weights.RemoteWeights;

import dev.asyncrl.algorithms.Algorithm;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.datastore.kafka.KafkaSettings;
import dev.asyncrl.datastore.kafka.KafkaTrajectoryStore;
import dev.asyncrl.runtime.weights.KafkaWeightAnnouncer;
import dev.asyncrl.runtime.weights.KafkaWeightFollower;
import dev.asyncrl.gpu.Placement;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.rollout.InvalidRewards;
import dev.asyncrl.rollout.RolloutPool;
import dev.asyncrl.rollout.RolloutWorker;
import dev.asyncrl.trainer.RolloutMonitor;
import dev.asyncrl.trainer.StepReport;
import dev.asyncrl.trainer.Trainer;
import dev.asyncrl.trainer.TrainerCheckpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The two roles of a distributed job, one per process, connected only through Kafka (trajectories and
 * announcements) and the weights folder: the trainer, and a rollout-worker process running
 * {@code rollout.workers} worker threads.
 */
public final class DistributedRun {
  private DistributedRun() {}

  public static KafkaSettings kafka(JobConfig job) {
    var d = job.datastore();
    if (!d.isKafka()) {
      throw job.settings().error(JobSchema.STORE, "a distributed role needs datastore.type: kafka, got '" + d.type() + "'");
    }
    return new KafkaSettings(d.bootstrap(), d.topic(), d.partitions(), (short) d.replication(), d.compression(), d.client());
  }

  /** Fails within {@code datastore.connect_timeout_s}, naming {@code datastore.bootstrap}, when no broker answers. */
  public static void checkReachable(JobConfig job, KafkaSettings kafka) {
    try {
      kafka.checkReachable(Duration.ofSeconds(job.datastore().connectTimeoutS()));
    } catch (IllegalStateException e) {
      throw job.settings().error(JobSchema.KAFKA_BOOTSTRAP, e.getMessage() + "; is the broker running, and is "
          + "datastore.bootstrap its address?");
    }
  }

  /** The weights folder: {@code datastore.weights_dir}, or {@code <run folder>/weights}. */
  public static Path weightsDir(JobConfig job, Path runDir) {
    String configured = job.datastore().weightsDir();
    return configured.isEmpty() ? runDir.resolve("weights") : Path.of(configured);
  }

  /** How long a trainer waits for the run folder's lock held by one that is exiting (e.g. after its launcher died). */
  static final Duration LOCK_PATIENCE = Duration.ofSeconds(5);

  /**
   * Runs the trainer to the last step, resuming from the newest intact checkpoint under
   * {@code runDir/checkpoints} when there is one. The trainer holds the run folder's lock throughout, and
   * fences any earlier trainer of the run out of the weights topic.
   *
   * @param onResume told the step resumed from (0 for a fresh start) before the first step runs
   */
  public static void trainer(JobConfig job, Path runDir, Consumer<Integer> onResume, Consumer<StepReport> listener,
      Consumer<String> log) throws InterruptedException {
    KafkaSettings kafka = kafka(job);
    checkReachable(job, kafka);
    LocalRun.checkDevices(job);
    try (JobModel model = JobModel.of(job); // checked before the run folder is touched
         RunLock lock = RunLock.acquire(runDir, "trainer", LOCK_PATIENCE)) {
      trainerHoldingLock(job, model, kafka, runDir, onResume, listener, log);
    }
  }

  private static void trainerHoldingLock(JobConfig job, JobModel model, KafkaSettings kafka, Path runDir,
      Consumer<Integer> onResume, Consumer<StepReport> listener, Consumer<String> log) throws InterruptedException {
    Placement placement = LocalRun.placement(job, log);
    Algorithm algorithm = LocalRun.ALGORITHMS.create(job.algorithm(), job.settings());
    kafka.ensureTopics();
    Path checkpoints = runDir.resolve("checkpoints");
    try (KafkaTrajectoryStore store = new KafkaTrajectoryStore(kafka);
         KafkaWeightAnnouncer announcer = new KafkaWeightAnnouncer(kafka);
         LocalRun.TrainerParts parts = LocalRun.TrainerParts.create(job, model, algorithm, placement, log)) {
      // Workers may read a version up to rollout.lag behind the newest while the next two are written.
      CheckpointPublisher publisher = new CheckpointPublisher(announcer, weightsDir(job, runDir), job.rollout().lag() + 3, store);
      Trainer trainer = parts.trainer(checkpoints, store, publisher, RolloutMonitor.NONE, listener);
      LocalRun.evaluation(job, model, trainer);
      FaultDrill.fromSystemProperty().ifPresent(trainer::drill);
      Optional<Path> latest = TrainerCheckpoint.latestIntact(checkpoints, log);
      int resumedStep = 0;
      if (latest.isPresent()) {
        TrainerCheckpoint.State state = trainer.resume(latest.get());
        resumedStep = state.step();
        log.accept("resumed from " + latest.get() + ": step " + state.step() + ", policy version " + state.version()
            + ", " + state.position().consumed() + " groups consumed");
      } else {
        log.accept("no checkpoint in " + checkpoints + ": starting at step 0 (reading topic '" + kafka.topic() + "')");
      }
      onResume.accept(resumedStep);
      trainer.publishInitial();
      trainer.run();
      parts.exportModel(runDir, log);
    }
  }

  /**
   * Runs this process's rollout workers until the trainer announces its last step.
   *
   * @param process   index of this worker process; worker ids are {@code process * rollout.workers + j}
   * @param processes how many worker processes share the run (each admits its share of the free slots)
   */
  public static void workers(JobConfig job, int process, int processes, Consumer<String> log) throws InterruptedException {
    KafkaSettings kafka = kafka(job);
    checkReachable(job, kafka);
    Placement placement = LocalRun.placement(job, log);
    kafka.ensureTopics();
    var r = job.rollout();
    StalenessGate gate = new StalenessGate(job.maxStaleness(), job.trainer().groupsPerStep());
    gate.shareWith(processes);
    WeightChannel<PolicyWeights> channel = new WeightChannel<>(r.lag() + 2, PolicyWeights::close);
    List<TransformerPolicy> policies = new ArrayList<>();
    InvalidRewards invalidRewards = new InvalidRewards(r.maxInvalidRewards(), log);
    try (JobModel model = JobModel.of(job);
         KafkaWeightFollower follower = new KafkaWeightFollower(kafka);
         KafkaTrajectoryStore store = new KafkaTrajectoryStore(kafka)) {
      // Group ids continue after everything already in the log, so a restarted worker never repeats one.
      long firstSequence = follower.logEnd();
      RemoteWeights remote = new RemoteWeights(follower, channel, gate, placement.rollout(), log);
      gate.refreshBeforeAdmission(remote::refresh);
      Thread link = new Thread(remote, "weights-follower");
      link.setDaemon(true);
      link.start();
      List<RolloutWorker> workers = new ArrayList<>();
      for (int j = 0; j < r.workers(); j++) {
        TransformerPolicy policy = model.newPolicy(placement.rollout());
        policies.add(policy);
        workers.add(new RolloutWorker(LocalRun.workerSetup(job, model, process * r.workers() + j, policy, firstSequence,
            invalidRewards),
            channel, gate, store));
      }
      log.accept("rollout-worker process " + process + ": " + r.workers() + " worker(s), group ids from sequence "
          + firstSequence + ", waiting for the trainer's first policy version");
      try (RolloutPool pool = new RolloutPool(workers, gate)) {
        pool.start();
        while (!remote.done()) {
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
      channel.close();
      policies.forEach(TransformerPolicy::close);
    }
  }

}
