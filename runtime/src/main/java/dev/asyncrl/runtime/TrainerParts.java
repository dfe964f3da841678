package dev.asyncrl.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import dev.asyncrl.algorithms.Algorithm;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.core.HorizonSchedule;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.datastore.TrajectoryStore;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.gpu.Placement;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.trainer.AdamW;
import dev.asyncrl.trainer.LearningRateSchedule;
import dev.asyncrl.trainer.PolicyPublisher;
import dev.asyncrl.trainer.RolloutMonitor;
import dev.asyncrl.trainer.StepReport;
import dev.asyncrl.trainer.Trainer;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The trainer's side of a job: policy, optional frozen reference, optimizer; closes the models. */
record TrainerParts(JobConfig job, Algorithm algorithm, TransformerPolicy policy, TransformerPolicy reference,
    AdamW optimizer, HorizonSchedule horizon) implements AutoCloseable {

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
    AdamW optimizer = new AdamW(policy.parameters(), job.get(JobSchema.BETA1), job.get(JobSchema.BETA2), job.get(JobSchema.ADAM_EPS), job.get(JobSchema.WEIGHT_DECAY));
    return new TrainerParts(job, algorithm, policy, reference, optimizer, model.horizon());
  }

  public Trainer trainer(Path checkpointDir, TrajectoryStore store, PolicyPublisher publisher, RolloutMonitor rollout,
      Consumer<StepReport> listener) {
    LearningRateSchedule lr = new LearningRateSchedule(job.get(JobSchema.LR), job.get(JobSchema.WARMUP_STEPS), job.get(JobSchema.STEPS),
        job.get(JobSchema.LR_SCHEDULE) == JobSchema.Schedule.COSINE);
    // Lagged workers start groups k versions behind, so the drop bound is max_staleness + lag.
    return new Trainer(new Trainer.Options(job.get(JobSchema.STEPS), job.get(JobSchema.GROUPS_PER_STEP), job.get(JobSchema.MINI_BATCHES),
        job.get(JobSchema.EPOCHS), job.get(JobSchema.MICRO_BATCH_ROWS),
        job.get(JobSchema.MAX_STALENESS) + job.get(JobSchema.LAG), job.get(JobSchema.TEMPERATURE),
        job.get(JobSchema.MAX_NEW_TOKENS) * horizon.longest(), horizon, lr, job.get(JobSchema.GRAD_CLIP), job.get(JobSchema.CHECKPOINT_EVERY),
        checkpointDir, job.get(JobSchema.MAX_NONFINITE_STEPS)), policy, reference, optimizer, algorithm, store, publisher, rollout, listener);
  }

  /** After a supervised warm-up: the frozen KL reference, when there is one, becomes the warmed-up policy. */
  void referenceFromPolicy() {
    if (reference == null) {
      return;
    }
    ComputeThread.inferenceOnly();
    try (NDScope ignored = new NDScope()) {
      NDList merged = new NDList();
      policy.mergedWeights().forEach((name, weight) -> {
        NDArray copy = weight.duplicate();
        copy.setName(name);
        merged.add(copy);
      });
      reference.loadWeights(merged);
    }
  }

  /**
   * Saves the trained model for other tools, when it came from a Hugging Face folder, in the source model's dtype:
   * {@code model/} (a full model folder), or with LoRA {@code adapter/} (PEFT layout) and, with
   * {@code lora.save_merged}, {@code model/} with the adapters merged in.
   */
  void exportModel(Path runDir, Consumer<String> log) {
    if (job.hasPretrained()) {
      ModelExport.write(job, policy, ModelExport.sourceDtype(Path.of(job.get(JobSchema.MODEL_PATH))),
          runDir.resolve("model"), runDir.resolve("adapter"), log);
    }
  }

  @Override
  public void close() {
    policy.close();
    if (reference != null) {
      reference.close();
    }
  }
}
