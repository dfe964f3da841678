package dev.asyncrl.core.config;

import static dev.asyncrl.core.config.JobSchema.*;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A validated job: the values of every key declared in {@link JobSchema}, read through their declarations
 * ({@code job.get(JobSchema.TOP_P)}), plus the few values derived from several keys. Build it with
 * {@link #load}; every problem is a one-line {@link ConfigException}.
 *
 * @param kafkaClient the {@code datastore.client} properties, passed to Kafka unchanged
 * @param taskParams  the values under {@code task.params}, by their path below it, for the task's environment
 *     provider to read and check
 */
public record JobConfig(Settings settings, Map<String, String> kafkaClient, Map<String, RawValue> taskParams) {

  public JobConfig {
    kafkaClient = Map.copyOf(kafkaClient);
    taskParams = Collections.unmodifiableMap(new LinkedHashMap<>(taskParams));
  }

  /** The value of {@code setting} in this job. */
  public <T> T get(Setting<T> setting) {
    return settings.get(setting);
  }

  /** {@code output_dir} as a path. */
  public Path outputDir() {
    return Path.of(get(OUTPUT_DIR));
  }

  /** Whether the job starts from a Hugging Face model folder ({@code model.path}) instead of the built-in model. */
  public boolean hasPretrained() {
    return !get(MODEL_PATH).isEmpty();
  }

  /** The built-in model's MLP width: {@code model.d_ff}, or 4 × {@code d_model} when 0. */
  public int dFf() {
    return get(D_FF) == 0 ? 4 * get(D_MODEL) : get(D_FF);
  }

  /** Whether low-rank adapters are trained ({@code lora.rank > 0}) instead of every weight. */
  public boolean loraEnabled() {
    return get(LORA_RANK) > 0;
  }

  /** {@code lora.targets} as a list of projection names. */
  public List<String> loraTargets() {
    return targets(settings);
  }

  private static List<String> targets(Settings s) {
    return ValueType.commaSeparated(s.get(LORA_TARGETS));
  }

  /** Sequences a worker decodes together: {@code rollout.slots}, or group_size × groups_per_batch when 0. */
  public int slots() {
    return get(SLOTS) > 0 ? get(SLOTS) : get(GROUP_SIZE) * get(GROUPS_PER_BATCH);
  }

  /** Whether new weights are loaded between two tokens: {@code rollout.partial}, with auto resolved. */
  public boolean partial() {
    return get(PARTIAL) == JobSchema.Partial.AUTO ? hasPretrained() : get(PARTIAL) == JobSchema.Partial.TRUE;
  }

  public boolean isKafka() {
    return get(STORE) == JobSchema.Store.KAFKA;
  }

  /** The Kafka trajectory topic: {@code datastore.topic}, or {@code asyncrl.<name>}. */
  public String kafkaTopic() {
    return get(KAFKA_TOPIC).isEmpty() ? "asyncrl." + get(NAME) : get(KAFKA_TOPIC);
  }

  /** The section whose keys are Kafka client properties, passed through without a schema. */
  public static final String KAFKA_CLIENT_SECTION = "datastore.client";

  /** The section whose keys the task's environment provider declares and checks itself. */
  public static final String TASK_PARAMS_SECTION = "task.params";

  /**
   * Reads {@code file}, applies {@code overrides} ({@code path=value}), validates everything against
   * {@code schema} (see {@link JobSchema#with}).
   */
  public static JobConfig load(Path file, List<String> overrides, ConfigSchema schema) {
    ConfigSource source = ConfigSource.fromFile(file);
    overrides.forEach(source::override);
    return read(source, schema);
  }

  /** Validates {@code source} against {@code schema}; the free-form sections are taken out first. */
  public static JobConfig read(ConfigSource source, ConfigSchema schema) {
    Map<String, RawValue> params = source.takeSection(TASK_PARAMS_SECTION);
    Map<String, String> client = new TreeMap<>();
    source.takeSection(KAFKA_CLIENT_SECTION).forEach((key, raw) -> {
      if (raw.isList()) {
        throw new ConfigException(KAFKA_CLIENT_SECTION + "." + key + " at " + raw.origin()
            + ": a Kafka client property must be a single value, got a list");
      }
      client.put(key, raw.text());
    });
    return from(schema.resolve(source), client, params);
  }

  public static JobConfig from(Settings s) {
    return from(s, Map.of(), Map.of());
  }

  /** Checks that involve several keys; {@code kafkaClient} are the {@code datastore.client} properties. */
  public static JobConfig from(Settings s, Map<String, String> kafkaClient, Map<String, RawValue> taskParams) {
    int dModel = s.get(D_MODEL);
    if (dModel % s.get(N_HEADS) != 0) {
      throw s.error(N_HEADS, "must divide model.d_model (" + dModel + "), got " + s.get(N_HEADS));
    }
    if (s.get(GROUPS_PER_STEP) % s.get(MINI_BATCHES) != 0) {
      throw s.error(MINI_BATCHES, "must divide trainer.groups_per_step (" + s.get(GROUPS_PER_STEP) + "), got "
          + s.get(MINI_BATCHES));
    }
    if (!s.get(TASK_CLASS).isEmpty() && !s.origin(TASK).equals(Origin.DEFAULT)) {
      throw s.error(TASK_CLASS, "names the environment provider, and so does task.name (at " + s.origin(TASK)
          + "); set one of them");
    }
    if (s.get(TASK).equals("math") && s.get(TASK_DATA).isEmpty()) {
      throw s.error(TASK_DATA, "must name a JSONL file of problems when task.name is math");
    }
    if (s.get(LORA_RANK) > 0 && targets(s).isEmpty()) {
      throw s.error(LORA_TARGETS, "must name at least one projection when lora.rank > 0");
    }
    return new JobConfig(s, kafkaClient, taskParams);
  }

  /** The effective configuration (defaults filled in) as YAML, saved in the run folder. */
  public String resolvedYaml() {
    StringBuilder out = new StringBuilder(settings.toYaml(taskParamsYaml()));
    if (!kafkaClient.isEmpty()) {
      out.append("# datastore.client (passed to Kafka; secrets masked)\n");
      kafkaClient.forEach((k, v) -> out.append("# ").append(k).append(": ")
          .append(k.contains("password") || k.contains("jaas") || k.contains("secret") ? "******" : v).append('\n'));
    }
    return out.toString();
  }

  /** The task parameters as written, by their full path, as YAML text. */
  private Map<String, String> taskParamsYaml() {
    Map<String, String> out = new LinkedHashMap<>();
    taskParams.forEach((key, raw) -> out.put(TASK_PARAMS_SECTION + "." + key, raw.isList()
        ? "[" + String.join(", ", raw.items().stream().map(ValueType.STRING::format).toList()) + "]"
        : ValueType.STRING.format(raw.text())));
    return out;
  }
}
