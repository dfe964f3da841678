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
