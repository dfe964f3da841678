package dev.asyncrl.runtime;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.core.HorizonSchedule;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.core.config.ValueType;
import dev.asyncrl.model.Architecture;
import dev.asyncrl.model.CharTokenizer;
import dev.asyncrl.model.GptArchitecture;
import dev.asyncrl.model.GptShape;
import dev.asyncrl.model.LoraSpec;
import dev.asyncrl.model.Tokenizer;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.model.hf.HfConfig;
import dev.asyncrl.model.hf.HfModel;
import dev.asyncrl.model.hf.LlamaArchitecture;
import dev.asyncrl.model.hf.HfTokenizer;
import dev.asyncrl.rollout.Environment;
import dev.asyncrl.rollout.EnvironmentProvider;
import dev.asyncrl.rollout.RewardFunction;
import dev.asyncrl.rollout.RewardedTask;
import dev.asyncrl.rollout.tools.Tool;
import dev.asyncrl.rollout.tools.ToolUse;
import dev.asyncrl.rollout.Environments;
import dev.asyncrl.rollout.MathTask;
import dev.asyncrl.rollout.Prompting;
import dev.asyncrl.rollout.Task;
import dev.asyncrl.rollout.TaskParameters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a job trains and on what: the model (the built-in GPT, or a Hugging Face folder), its tokenizer, how
 * prompts are formatted, and the task. Built once per process from the {@link JobConfig}; every cross-key
 * problem (a prompt too long for {@code model.max_seq_len}, a tokenizer larger than the model's vocabulary, a
 * missing dataset) is a one-line config error.
 */
public final class JobModel implements AutoCloseable {

  private final JobConfig job;
  private final Tokenizer tokenizer;
  private final Prompting prompting;
  private final EnvironmentProvider environments;
  private final Environments installed;
  private final List<Tool> tools;
  private final Task task;
  private final int longestPrompt;

  private JobModel(JobConfig job, Tokenizer tokenizer, Prompting prompting, EnvironmentProvider environments,
      Environments installed, Task task, List<Tool> tools, int longestPrompt) {
    this.job = job;
    this.tokenizer = tokenizer;
    this.prompting = prompting;
    this.environments = environments;
    this.installed = installed;
    this.task = task;
    this.tools = tools;
    this.longestPrompt = longestPrompt;
  }

  /** The built-in model's shape from {@code model.*}. */
  static GptShape shape(JobConfig job) {
    return new GptShape(job.get(JobSchema.D_MODEL), job.get(JobSchema.N_LAYERS), job.get(JobSchema.N_HEADS), job.dFf(),
        job.get(JobSchema.MAX_SEQ_LEN));
  }

  /**
   * Builds the job's tokenizer, prompting and environments (a single-turn task, or an environment provider),
   * and checks everything that needs more than one key: prompt + response within model.max_seq_len, the
   * tokenizer within the vocabulary, the model within this machine ({@link ModelFootprint}). Errors are one
   * line naming the key.
   */
  public static JobModel of(JobConfig job) {
    Tokenizer tokenizer;
    Prompting prompting;
    if (job.hasPretrained()) {
      Path dir = Path.of(job.get(JobSchema.MODEL_PATH));
      HfTokenizer hf;
      try {
        hf = HfTokenizer.forModel(dir);
      } catch (IllegalArgumentException e) {
        throw job.settings().error(JobSchema.MODEL_PATH, e.getMessage());
      }
      tokenizer = hf;
      prompting = new Prompting(hf, job.get(JobSchema.CHAT_TEMPLATE) ? hf.chatTemplate().orElse(null) : null, job.get(JobSchema.SYSTEM_PROMPT));
    } else {
      tokenizer = new CharTokenizer();
      prompting = Prompting.raw(tokenizer);
    }
    Environments installed = null;
    EnvironmentProvider environments = null;
    List<Tool> tools;
    try {
      Task task = singleTurn(job) ? loadTask(job) : null;
      installed = installed(job);
      task = rewarded(job, task, installed);
      environments = task != null ? task.environments() : environments(job, installed);
      configure(job, environments);
      tools = tools(job);
      if (!tools.isEmpty()) {
        environments = new ToolUse(environments, tools);
      }
      if (job.get(JobSchema.SFT_STEPS) > 0 && environments.demonstration(0).isEmpty()) {
        throw job.settings().error(JobSchema.SFT_STEPS, "needs demonstrations, and environment '" + environments.name()
            + "' gives none (the built-in guess and apiworld do; an environment of your own implements "
            + "EnvironmentProvider.demonstration)");
      }
      List<Map<String, Object>> described = environments.tools();
      if (!described.isEmpty()) {
        prompting = prompting.withTools(described);
      }
      if (job.get(JobSchema.EVAL_EVERY) > 0 && task != null && task.evaluationSet().isEmpty()) {
        throw job.settings().error(JobSchema.EVAL_EVERY, "needs held-out problems, and task '" + task.name() + "' has "
            + "none" + (task.name().equals("math") ? ": set task.eval_data" : " (math has them in task.eval_data; "
            + "multi-turn environments are evaluated on their own instances)"));
      }
      int longest = task != null ? longestPrompt(job, task, prompting) : job.get(JobSchema.MAX_SEQ_LEN) - 1;
      JobModel model = new JobModel(job, tokenizer, prompting, environments, installed, task, tools, longest);
      model.footprint().checkTensors(job, ModelFootprint.sizingKey(job));
      return model;
    } catch (RuntimeException e) {
      if (tokenizer instanceof HfTokenizer hf) {
        hf.close();
      }
      if (environments != null) {
        environments.close();
      }
      if (installed != null) {
        installed.close();
      }
      throw e;
    }
  }

  /** Whether the job names one of the built-in single-turn tasks. */
  static boolean singleTurn(JobConfig job) {
    return job.get(JobSchema.TASK_CLASS).isEmpty() && Task.BUILT_IN.contains(job.get(JobSchema.TASK));
  }

  /** The environment providers on the class path and in {@code task.plugins}. */
  private static Environments installed(JobConfig job) {
    String plugins = job.get(JobSchema.TASK_PLUGINS);
    try {
      return Environments.from(plugins.isEmpty() ? null : Path.of(plugins));
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw job.settings().error(JobSchema.TASK_PLUGINS, e.getMessage());
    }
  }

  /** The environment provider of {@code task.class}, or of {@code task.name} among those installed. */
  private static EnvironmentProvider environments(JobConfig job, Environments installed) {
    String className = job.get(JobSchema.TASK_CLASS);
    if (!className.isEmpty()) {
      try {
        return installed.byClass(className);
      } catch (IllegalArgumentException e) {
        throw job.settings().error(JobSchema.TASK_CLASS, e.getMessage());
      }
    }
    String name = job.get(JobSchema.TASK);
    try {
      return installed.byName(name).orElseThrow(() -> {
        List<String> known = new ArrayList<>(Task.BUILT_IN);
        known.addAll(installed.names());
        return new IllegalArgumentException("no task or environment named '" + name + "'; known: "
            + String.join(", ", known) + (job.get(JobSchema.TASK_PLUGINS).isEmpty() ? " (task.plugins names a folder of plug-in jars)" : ""));
      });
    } catch (IllegalArgumentException e) {
      throw job.settings().error(JobSchema.TASK, e.getMessage());
    }
  }

  /**
   * Before a run whose workers are in this process, and for {@code --dry-run}: the environment's own check (a
   * remote server answers), then one episode opened (instance 0) whose first observation, as the model sees it,
   * must leave room for a turn in {@code model.max_seq_len}. Errors name the task key, or model.max_seq_len.
   */
  void checkEnvironment() {
    int tokens;
    try {
      environments.check();
      try (Environment env = environments.create()) {
        tokens = prompting.dialogue().open(env.reset(0)).length;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the environment", e);
    } catch (Exception e) {
      throw job.settings().error(job.get(JobSchema.TASK_CLASS).isEmpty() ? JobSchema.TASK : JobSchema.TASK_CLASS,
          "environment '" + environments.name() + "' is not ready: " + e.getMessage());
    }
    if (tokens >= job.get(JobSchema.MAX_SEQ_LEN)) {
      throw job.settings().error(JobSchema.MAX_SEQ_LEN, "must exceed the first observation of environment '"
          + environments.name() + "' (" + tokens + " tokens as the model sees it, instance 0), got "
          + job.get(JobSchema.MAX_SEQ_LEN));
    }
  }

  /** {@code task} scored by {@code task.reward_class}, when set (single-turn tasks only). */
  private static Task rewarded(JobConfig job, Task task, Environments installed) {
    String className = job.get(JobSchema.REWARD_CLASS);
    if (className.isEmpty()) {
      return task;
    }
    if (task == null) {
      throw job.settings().error(JobSchema.REWARD_CLASS, "only a single-turn task (" + String.join(", ", Task.BUILT_IN)
          + ") takes a reward function; environment '" + job.get(JobSchema.TASK) + "' rewards its own episodes");
    }
    try {
      return new RewardedTask(task, installed.instance(className, RewardFunction.class));
    } catch (IllegalArgumentException e) {
      throw job.settings().error(JobSchema.REWARD_CLASS, e.getMessage());
    }
  }

  /** The built-in tools of {@code task.tools}. */
  private static List<Tool> tools(JobConfig job) {
    try {
      return ToolUse.builtIn(ValueType.commaSeparated(job.get(JobSchema.TOOLS)));
    } catch (IllegalArgumentException e) {
      throw job.settings().error(JobSchema.TOOLS, e.getMessage());
    }
  }

  /** Hands the provider its {@code task.params}; a key it does not read, or a value it rejects, is a config error. */
  private static void configure(JobConfig job, EnvironmentProvider environments) {
    TaskParameters params = new TaskParameters(environments.name(), job.taskParams());
    try {
      environments.configure(params);
    } catch (dev.asyncrl.core.config.ConfigException e) {
      throw e;
    } catch (RuntimeException | LinkageError e) {
      throw job.settings().error(job.get(JobSchema.TASK_CLASS).isEmpty() ? JobSchema.TASK : JobSchema.TASK_CLASS,
          "environment " + environments.name() + " (" + environments.getClass().getName() + ") rejected its "
          + "parameters: " + e);
    }
    params.checkAllRead();
  }

  private static Task loadTask(JobConfig job) {
    Task loaded;
    try {
      loaded = job.get(JobSchema.TASK).equals("math")
          ? MathTask.load(Path.of(job.get(JobSchema.TASK_DATA)), job.get(JobSchema.TASK_EVAL_DATA).isEmpty() ? null : Path.of(job.get(JobSchema.TASK_EVAL_DATA)), job.get(JobSchema.QUESTION_FIELD),
              job.get(JobSchema.ANSWER_FIELD), job.get(JobSchema.PROMPT_TEMPLATE), job.get(JobSchema.EVAL_SIZE))
          : Task.named(job.get(JobSchema.TASK), job.get(JobSchema.DIGITS));
    } catch (IllegalArgumentException e) {
      boolean eval = !job.get(JobSchema.TASK_EVAL_DATA).isEmpty() && e.getMessage().startsWith(job.get(JobSchema.TASK_EVAL_DATA));
      throw job.settings().error(!job.get(JobSchema.TASK).equals("math") ? JobSchema.TASK : eval ? JobSchema.TASK_EVAL_DATA
          : JobSchema.TASK_DATA, e.getMessage());
    }
    return loaded;
  }

  /** The longest prompt of {@code task} as the model sees it; it and the response must fit model.max_seq_len. */
  private static int longestPrompt(JobConfig job, Task loaded, Prompting prompting) {
    int longest;
    try {
      longest = loaded.longestPrompt(p -> prompting.encode(p).length);
    } catch (IllegalArgumentException e) { // the built-in tokenizer meeting characters it lacks, a template error
      throw job.settings().error(JobSchema.TASK, e.getMessage());
    }
    int needed = longest + job.get(JobSchema.MAX_NEW_TOKENS);
    if (needed > job.get(JobSchema.MAX_SEQ_LEN)) {
      throw job.settings().error(JobSchema.MAX_SEQ_LEN, "must be >= the longest prompt (" + longest + " tokens) + "
          + "rollout.max_new_tokens " + job.get(JobSchema.MAX_NEW_TOKENS) + " = " + needed + ", got " + job.get(JobSchema.MAX_SEQ_LEN));
    }
    return longest;
  }

  /**
   * The architecture the job will build, from its configuration alone (no weights are read or allocated);
   * fails naming {@code model.path} when the folder's config.json cannot serve this run.
   */
  public Architecture architecture() {
    if (!job.hasPretrained()) {
      return new GptArchitecture(shape(job), tokenizer.vocabSize());
    }
    Path dir = Path.of(job.get(JobSchema.MODEL_PATH));
    try {
      HfConfig config = HfConfig.read(dir);
      config.checkSequenceLength(job.get(JobSchema.MAX_SEQ_LEN), dir.resolve("config.json"));
      return new LlamaArchitecture(config, job.get(JobSchema.MAX_SEQ_LEN));
    } catch (IllegalArgumentException e) {
      throw job.settings().error(JobSchema.MODEL_PATH, e.getMessage());
    }
  }

  /** The job's single-turn task, when it is one (the built-in tasks; evaluation needs it). */
  public Optional<Task> task() {
    return Optional.ofNullable(task);
  }

  /** What the rollout workers run episodes of. */
  public EnvironmentProvider environments() {
    return environments;
  }

  /**
   * What held-out evaluation plays as episodes: the environment itself, or a single-turn task's held-out problems
   * with its tools; empty for a single-turn task without tools (its {@link #task} is evaluated directly).
   */
  public Optional<EnvironmentProvider> evaluationEnvironments() {
    if (task == null) {
      return Optional.of(environments);
    }
    return tools.isEmpty() ? Optional.empty() : Optional.of(new ToolUse(task.evaluationEnvironments(), tools));
  }

  /** The most turns an episode takes, by step: {@code rollout.max_turns}, or 1 for a single-turn task without tools. */
  public HorizonSchedule horizon() {
    return task != null && tools.isEmpty() ? HorizonSchedule.fixed(1) : job.get(JobSchema.MAX_TURNS);
  }

  /** What the trainer and each rollout worker hold (checked against each device when a run is placed, {@code JobRunner.placement}). */
  public ModelFootprint footprint() {
    boolean klReference = JobRunner.ALGORITHMS.create(job.get(JobSchema.ALGORITHM), job.settings()).needsReferenceModel();
    return ModelFootprint.of(job, architecture(), klReference, longestPrompt);
  }

  /**
   * The longest context a turn starts from, in tokens, as the model sees it (chat template included): a
   * single-turn task's longest prompt, or {@code model.max_seq_len - 1} for an environment.
   */
  public int longestPrompt() {
    return longestPrompt;
  }

  public Prompting prompting() {
    return prompting;
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * A new copy of the job's initial policy on {@code device} (same weights in every process), with LoRA
   * adapters when {@code lora.rank > 0}.
   */
  public TransformerPolicy newPolicy(Device device) {
    return withLora(job, basePolicy(device));
  }

  /**
   * A rollout worker's copy of the initial policy on {@code device}: {@link #newPolicy} in
   * {@code model.rollout_dtype}, laid out for decoding.
   */
  public TransformerPolicy rolloutPolicy(Device device) {
    TransformerPolicy policy = withLora(job, build(device, dataType(job.get(JobSchema.ROLLOUT_DTYPE))));
    try {
      policy.prepareForDecoding();
      return policy;
    } catch (RuntimeException e) {
      policy.close();
      throw e;
    }
  }

  static DataType dataType(JobSchema.ComputeType type) {
    return type == JobSchema.ComputeType.FLOAT16 ? DataType.FLOAT16 : DataType.FLOAT32;
  }

  /** {@code policy} with the job's LoRA adapters added when {@code lora.rank > 0} (closed on failure). */
  static TransformerPolicy withLora(JobConfig job, TransformerPolicy policy) {
    if (job.loraEnabled()) {
      try {
        policy.enableLora(new LoraSpec(job.get(JobSchema.LORA_RANK), job.get(JobSchema.LORA_ALPHA),
            job.get(JobSchema.LORA_DROPOUT), job.loraTargets()), job.get(JobSchema.SEED));
      } catch (IllegalArgumentException e) {
        policy.close();
        throw job.settings().error(JobSchema.LORA_TARGETS, e.getMessage());
      }
    }
    return policy;
  }

  /** The model without adapters: also the frozen reference for a KL penalty. */
  public TransformerPolicy basePolicy(Device device) {
    if (!job.hasPretrained()) {
      return build(device, DataType.FLOAT32);
    }
    DataType dtype = dataType(job.get(JobSchema.MODEL_DTYPE));
    if (dtype == DataType.FLOAT16 && !device.isGpu()) {
      throw job.settings().error(JobSchema.MODEL_DTYPE, "float16 needs a GPU device; " + device + " computes in float32");
    }
    return build(device, dtype);
  }

  /** The initial model, without adapters, in {@code dtype}. */
  private TransformerPolicy build(Device device, DataType dtype) {
    if (!job.hasPretrained()) {
      return TransformerPolicy.initialize(shape(job), tokenizer.vocabSize(), job.get(JobSchema.SEED), device, dtype,
          GptArchitecture.Init.valueOf(job.get(JobSchema.MODEL_INIT).name()));
    }
    return pretrained(job, device, dtype);
  }

  /** The Hugging Face model of {@code model.path}, without adapters; errors name the key. */
  static TransformerPolicy pretrained(JobConfig job, Device device, DataType dtype) {
    Path dir = Path.of(job.get(JobSchema.MODEL_PATH));
    try {
      return job.get(JobSchema.MODEL_WEIGHTS) == JobSchema.ModelWeights.RANDOM
          ? HfModel.initialize(HfConfig.read(dir), job.get(JobSchema.MAX_SEQ_LEN), job.get(JobSchema.SEED), device,
              dtype)
          : HfModel.load(dir, device, dtype, job.get(JobSchema.MAX_SEQ_LEN));
    } catch (IllegalArgumentException e) {
      throw job.settings().error(JobSchema.MODEL_PATH, e.getMessage());
    }
  }

  @Override
  public void close() {
    if (tokenizer instanceof HfTokenizer hf) {
      hf.close();
    }
    environments.close(); // after the last episode, which the caller's workers have ended
    if (installed != null) {
      installed.close(); // the plug-in jars, after the provider that may have come from one
    }
  }
}
