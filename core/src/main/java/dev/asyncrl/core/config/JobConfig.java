package dev.asyncrl.core.config;

import static dev.asyncrl.core.config.JobSchema.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
    PretrainedConfig pretrained,
    LoraConfig lora,
    TaskConfig task,
    RolloutConfig rollout,
    TrainerConfig trainer,
    String algorithm,
    DeviceConfig devices,
    StoreConfig datastore,
    Settings settings) {

  /** Shape of the built-in decoder-only transformer. */
  public record ModelConfig(int dModel, int nLayers, int nHeads, int dFf, int maxSeqLen) {}

  /**
   * A Hugging Face model folder to start from.
   *
   * @param path '' = the built-in model ({@link ModelConfig})
   */
  public record PretrainedConfig(String path, String dtype) {
    public boolean isSet() {
      return !path.isEmpty();
    }
  }

  /** Low-rank adapters; {@code rank 0} = full fine-tuning. */
  public record LoraConfig(int rank, double alpha, double dropout, List<String> targets, boolean saveMerged) {
    public LoraConfig {
      targets = List.copyOf(targets);
    }

    public boolean enabled() {
      return rank > 0;
    }
  }

  /**
   * @param data      math: training JSONL ('' for the built-in tasks)
   * @param evalData  math: held-out JSONL, '' = none
   */
  public record TaskConfig(String name, int digits, String data, String evalData, String questionField,
      String answerField, String promptTemplate, String systemPrompt, boolean chatTemplate, int evalEvery, int evalSize) {}

  /**
   * @param slots    sequences a worker decodes together (resolved: never 0)
   * @param partial  new weights between two tokens (resolved from auto)
   */
  public record RolloutConfig(int workers, int groupSize, int groupsPerBatch, int maxNewTokens,
      double temperature, int topK, double topP, int lag, int slots, boolean partial, int maxInvalidRewards) {}

  public record TrainerConfig(int steps, int groupsPerStep, int miniBatches, double lr, double weightDecay, double beta1,
      double beta2, double adamEps, double gradClip, int warmupSteps, String lrSchedule, int checkpointEvery,
      int maxNonfiniteSteps) {}

  public record DeviceConfig(String trainer, String rollout, int threads) {}

  /**
   * @param topic  the Kafka trajectory topic (defaulted to {@code asyncrl.<name>})
   * @param client Kafka client properties from {@code datastore.client}, passed through unchanged
   */
  public record StoreConfig(String type, int capacity, String bootstrap, int connectTimeoutS, String topic,
      int partitions, int replication, String compression, String weightsDir, Map<String, String> client) {

    public StoreConfig {
      client = Map.copyOf(client);
    }

    public boolean isKafka() {
      return type.equals("kafka");
    }
  }

  /** The section whose keys are Kafka client properties, passed through without a schema. */
  public static final String KAFKA_CLIENT_SECTION = "datastore.client";

  /**
   * Reads {@code file}, applies {@code overrides} ({@code path=value}), validates everything against
   * {@code schema} (see {@link JobSchema#with}).
   */
  public static JobConfig load(Path file, List<String> overrides, ConfigSchema schema) {
    ConfigSource source = ConfigSource.fromFile(file);
    overrides.forEach(source::override);
    Map<String, String> client = new TreeMap<>();
    source.takeSection(KAFKA_CLIENT_SECTION).forEach((key, raw) -> {
      if (raw.isList()) {
        throw new ConfigException(KAFKA_CLIENT_SECTION + "." + key + " at " + raw.origin()
            + ": a Kafka client property must be a single value, got a list");
      }
      client.put(key, raw.text());
    });
    return from(schema.resolve(source), client);
  }

  public static JobConfig from(Settings s) {
    return from(s, Map.of());
  }

  /** @param kafkaClient the {@code datastore.client} properties */
  public static JobConfig from(Settings s, Map<String, String> kafkaClient) {
    int dModel = s.get(D_MODEL);
    if (dModel % s.get(N_HEADS) != 0) {
      throw s.error(N_HEADS, "must divide model.d_model (" + dModel + "), got " + s.get(N_HEADS));
    }
    int dFf = s.get(D_FF) == 0 ? 4 * dModel : s.get(D_FF);
    if (s.get(GROUPS_PER_STEP) % s.get(MINI_BATCHES) != 0) {
      throw s.error(MINI_BATCHES, "must divide trainer.groups_per_step (" + s.get(GROUPS_PER_STEP) + "), got "
          + s.get(MINI_BATCHES));
    }
    if (s.get(TASK).equals("math") && s.get(TASK_DATA).isEmpty()) {
      throw s.error(TASK_DATA, "must name a JSONL file of problems when task.name is math");
    }
    if (s.get(EVAL_EVERY) > 0 && !s.get(TASK).equals("math")) {
      throw s.error(EVAL_EVERY, "needs held-out problems: only task.name math has them (task.eval_data)");
    }
    if (s.get(EVAL_EVERY) > 0 && s.get(TASK_EVAL_DATA).isEmpty()) {
      throw s.error(EVAL_EVERY, "needs task.eval_data, the held-out problems");
    }
    List<String> targets = java.util.Arrays.stream(s.get(LORA_TARGETS).split(",")).map(String::strip)
        .filter(t -> !t.isEmpty()).toList();
    if (s.get(LORA_RANK) > 0 && targets.isEmpty()) {
      throw s.error(LORA_TARGETS, "must name at least one projection when lora.rank > 0");
    }
    return new JobConfig(
        s.get(NAME), s.get(SEED), s.get(MAX_STALENESS), Path.of(s.get(OUTPUT_DIR)),
        new ModelConfig(dModel, s.get(N_LAYERS), s.get(N_HEADS), dFf, s.get(MAX_SEQ_LEN)),
        new PretrainedConfig(s.get(MODEL_PATH), s.get(MODEL_DTYPE)),
        new LoraConfig(s.get(LORA_RANK), s.get(LORA_ALPHA), s.get(LORA_DROPOUT), targets, s.get(LORA_SAVE_MERGED)),
        new TaskConfig(s.get(TASK), s.get(DIGITS), s.get(TASK_DATA), s.get(TASK_EVAL_DATA), s.get(QUESTION_FIELD),
            s.get(ANSWER_FIELD), s.get(PROMPT_TEMPLATE), s.get(SYSTEM_PROMPT), s.get(CHAT_TEMPLATE), s.get(EVAL_EVERY),
            s.get(EVAL_SIZE)),
        new RolloutConfig(s.get(WORKERS), s.get(GROUP_SIZE), s.get(GROUPS_PER_BATCH), s.get(MAX_NEW_TOKENS),
            s.get(TEMPERATURE), s.get(TOP_K), s.get(TOP_P), s.get(LAG),
            s.get(SLOTS) > 0 ? s.get(SLOTS) : s.get(GROUP_SIZE) * s.get(GROUPS_PER_BATCH),
            s.get(PARTIAL).equals("auto") ? !s.get(MODEL_PATH).isEmpty() : s.get(PARTIAL).equals("true"),
            s.get(MAX_INVALID_REWARDS)),
        new TrainerConfig(s.get(STEPS), s.get(GROUPS_PER_STEP), s.get(MINI_BATCHES), s.get(LR), s.get(WEIGHT_DECAY), s.get(BETA1),
            s.get(BETA2), s.get(ADAM_EPS), s.get(GRAD_CLIP), s.get(WARMUP_STEPS), s.get(LR_SCHEDULE),
            s.get(CHECKPOINT_EVERY), s.get(MAX_NONFINITE_STEPS)),
        s.get(ALGORITHM),
        new DeviceConfig(s.get(TRAINER_DEVICE), s.get(ROLLOUT_DEVICE), s.get(THREADS)),
        new StoreConfig(s.get(STORE), s.get(STORE_CAPACITY), s.get(KAFKA_BOOTSTRAP), s.get(KAFKA_CONNECT_TIMEOUT),
            s.get(KAFKA_TOPIC).isEmpty() ? "asyncrl." + s.get(NAME) : s.get(KAFKA_TOPIC), s.get(KAFKA_PARTITIONS),
            s.get(KAFKA_REPLICATION), s.get(KAFKA_COMPRESSION), s.get(WEIGHTS_DIR), kafkaClient),
        s);
  }

  /** The effective configuration (defaults filled in) as YAML, saved in the run folder. */
  public String resolvedYaml() {
    StringBuilder out = new StringBuilder(settings.toYaml());
    if (!datastore.client().isEmpty()) {
      out.append("# datastore.client (passed to Kafka; secrets masked)\n");
      datastore.client().forEach((k, v) -> out.append("# ").append(k).append(": ")
          .append(k.contains("password") || k.contains("jaas") || k.contains("secret") ? "******" : v).append('\n'));
    }
    return out.toString();
  }
}
