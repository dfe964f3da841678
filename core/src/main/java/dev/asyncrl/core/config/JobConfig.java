package dev.asyncrl.core.config;

import static dev.asyncrl.core.config.JobSchema.*;

import java.nio.file.Path;
import java.util.List;

/**
 * A validated job: the typed view of {@link JobSchema}. Build it with {@link #load}; every problem is a
 * one-line {@link ConfigException}.
 */
public record JobConfig(
    String name,
    long seed,
    int maxStaleness,
    Path outputDir,
    ModelConfig model,
    TaskConfig task,
    RolloutConfig rollout,
    TrainerConfig trainer,
    String algorithm,
    DeviceConfig devices,
    StoreConfig datastore,
    Settings settings) {

  /** Shape of the built-in decoder-only transformer. */
  public record ModelConfig(int dModel, int nLayers, int nHeads, int dFf, int maxSeqLen) {}

  public record TaskConfig(String name, int digits) {}

  public record RolloutConfig(int workers, int groupSize, int groupsPerBatch, int maxNewTokens,
      double temperature, int topK, double topP, int lag) {}

  public record TrainerConfig(int steps, int groupsPerStep, int miniBatches, double lr, double weightDecay, double beta1,
      double beta2, double adamEps, double gradClip, int warmupSteps, String lrSchedule, int checkpointEvery) {}

  public record DeviceConfig(String trainer, String rollout, int threads) {}

  public record StoreConfig(String type, int capacity) {}

  /**
   * Reads {@code file}, applies {@code overrides} ({@code path=value}), validates everything against
   * {@code schema} (see {@link JobSchema#with}).
   */
  public static JobConfig load(Path file, List<String> overrides, ConfigSchema schema) {
    ConfigSource source = ConfigSource.fromFile(file);
    overrides.forEach(source::override);
    return from(schema.resolve(source));
  }

  public static JobConfig from(Settings s) {
    int dModel = s.get(D_MODEL);
    if (dModel % s.get(N_HEADS) != 0) {
      throw s.error(N_HEADS, "must divide model.d_model (" + dModel + "), got " + s.get(N_HEADS));
    }
    int dFf = s.get(D_FF) == 0 ? 4 * dModel : s.get(D_FF);
    if (s.get(GROUPS_PER_STEP) % s.get(MINI_BATCHES) != 0) {
      throw s.error(MINI_BATCHES, "must divide trainer.groups_per_step (" + s.get(GROUPS_PER_STEP) + "), got "
          + s.get(MINI_BATCHES));
    }
    return new JobConfig(
        s.get(NAME), s.get(SEED), s.get(MAX_STALENESS), Path.of(s.get(OUTPUT_DIR)),
        new ModelConfig(dModel, s.get(N_LAYERS), s.get(N_HEADS), dFf, s.get(MAX_SEQ_LEN)),
        new TaskConfig(s.get(TASK), s.get(DIGITS)),
        new RolloutConfig(s.get(WORKERS), s.get(GROUP_SIZE), s.get(GROUPS_PER_BATCH), s.get(MAX_NEW_TOKENS),
            s.get(TEMPERATURE), s.get(TOP_K), s.get(TOP_P), s.get(LAG)),
        new TrainerConfig(s.get(STEPS), s.get(GROUPS_PER_STEP), s.get(MINI_BATCHES), s.get(LR), s.get(WEIGHT_DECAY), s.get(BETA1),
            s.get(BETA2), s.get(ADAM_EPS), s.get(GRAD_CLIP), s.get(WARMUP_STEPS), s.get(LR_SCHEDULE),
            s.get(CHECKPOINT_EVERY)),
        s.get(ALGORITHM),
        new DeviceConfig(s.get(TRAINER_DEVICE), s.get(ROLLOUT_DEVICE), s.get(THREADS)),
        new StoreConfig(s.get(STORE), s.get(STORE_CAPACITY)),
        s);
  }

  /** The effective configuration (defaults filled in) as YAML, saved in the run folder. */
  public String resolvedYaml() {
    return settings.toYaml();
  }
}
