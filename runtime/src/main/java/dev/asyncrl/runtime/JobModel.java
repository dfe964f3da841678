package dev.asyncrl.runtime;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.model.Architecture;
import dev.asyncrl.model.CharTokenizer;
import dev.asyncrl.model.GptArchitecture;
import dev.asyncrl.model.LoraSpec;
import dev.asyncrl.model.Tokenizer;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.model.hf.HfConfig;
import dev.asyncrl.model.hf.HfModel;
import dev.asyncrl.model.hf.LlamaArchitecture;
import dev.asyncrl.model.hf.HfTokenizer;
import dev.asyncrl.rollout.MathTask;
import dev.asyncrl.rollout.Prompting;
import dev.asyncrl.rollout.Task;
import java.nio.file.Path;

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
  private final Task task;
  private final int longestPrompt;

  private JobModel(JobConfig job, Tokenizer tokenizer, Prompting prompting, Task task, int longestPrompt) {
    this.job = job;
    this.tokenizer = tokenizer;
    this.prompting = prompting;
    this.task = task;
    this.longestPrompt = longestPrompt;
  }

  /**
   * Builds the job's tokenizer, prompting and task, and checks everything that needs more than one key:
   * prompt + response within model.max_seq_len, the tokenizer within the vocabulary, the model within this
   * machine ({@link ModelFootprint}). Errors are one line naming the key.
   */
  public static JobModel of(JobConfig job) {
    Tokenizer tokenizer;
    Prompting prompting;
    if (job.pretrained().isSet()) {
      Path dir = Path.of(job.pretrained().path());
      HfTokenizer hf;
      try {
        hf = HfTokenizer.forModel(dir);
      } catch (IllegalArgumentException e) {
        throw job.settings().error(JobSchema.MODEL_PATH, e.getMessage());
      }
      tokenizer = hf;
      var t = job.task();
      prompting = new Prompting(hf, t.chatTemplate() ? hf.chatTemplate().orElse(null) : null, t.systemPrompt());
    } else {
      tokenizer = new CharTokenizer();
      prompting = Prompting.raw(tokenizer);
    }
    try {
      Task task = loadTask(job);
      JobModel model = new JobModel(job, tokenizer, prompting, task, longestPrompt(job, task, prompting));
      boolean klReference = JobRunner.ALGORITHMS.create(job.algorithm(), job.settings()).needsReferenceModel();
      ModelFootprint.of(job, model.architecture(), klReference).check(job, ModelFootprint.sizingKey(job),
          ModelFootprint.machineBytes());
      return model;
    } catch (RuntimeException e) {
      if (tokenizer instanceof HfTokenizer hf) {
        hf.close();
      }
      throw e;
    }
  }

  private static Task loadTask(JobConfig job) {
    var t = job.task();
    Task loaded;
    try {
      loaded = t.name().equals("math")
          ? MathTask.load(Path.of(t.data()), t.evalData().isEmpty() ? null : Path.of(t.evalData()), t.questionField(),
              t.answerField(), t.promptTemplate(), t.evalSize())
          : Task.named(t.name(), t.digits());
    } catch (IllegalArgumentException e) {
      boolean eval = !t.evalData().isEmpty() && e.getMessage().startsWith(t.evalData());
      throw job.settings().error(!t.name().equals("math") ? JobSchema.TASK : eval ? JobSchema.TASK_EVAL_DATA
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
    int needed = longest + job.rollout().maxNewTokens();
    if (needed > job.model().maxSeqLen()) {
      throw job.settings().error(JobSchema.MAX_SEQ_LEN, "must be >= the longest prompt (" + longest + " tokens) + "
          + "rollout.max_new_tokens " + job.rollout().maxNewTokens() + " = " + needed + ", got " + job.model().maxSeqLen());
    }
    return longest;
  }

  /**
   * The architecture the job will build, from its configuration alone (no weights are read or allocated);
   * fails naming {@code model.path} when the folder's config.json cannot serve this run.
   */
  public Architecture architecture() {
    if (!job.pretrained().isSet()) {
      return new GptArchitecture(job.model(), tokenizer.vocabSize());
    }
    Path dir = Path.of(job.pretrained().path());
    try {
      HfConfig config = HfConfig.read(dir);
      config.checkSequenceLength(job.model().maxSeqLen(), dir.resolve("config.json"));
      return new LlamaArchitecture(config, job.model().maxSeqLen());
    } catch (IllegalArgumentException e) {
      throw job.settings().error(JobSchema.MODEL_PATH, e.getMessage());
    }
  }

  public Task task() {
    return task;
  }

  /** The longest prompt the task produces, in tokens, as the model sees it (chat template included). */
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
    TransformerPolicy policy = basePolicy(device);
    var l = job.lora();
    if (l.enabled()) {
      try {
        policy.enableLora(new LoraSpec(l.rank(), l.alpha(), l.dropout(), l.targets()), job.seed());
      } catch (IllegalArgumentException e) {
        policy.close();
        throw job.settings().error(JobSchema.LORA_TARGETS, e.getMessage());
      }
    }
    return policy;
  }

  /** The model without adapters: also the frozen reference for a KL penalty. */
  public TransformerPolicy basePolicy(Device device) {
    if (!job.pretrained().isSet()) {
      return TransformerPolicy.initialize(job.model(), tokenizer.vocabSize(), job.seed(), device, DataType.FLOAT32);
    }
    DataType dtype = job.pretrained().dtype().equals("float16") ? DataType.FLOAT16 : DataType.FLOAT32;
    if (dtype == DataType.FLOAT16 && !device.isGpu()) {
      throw job.settings().error(JobSchema.MODEL_DTYPE, "float16 needs a GPU device; " + device + " computes in float32");
    }
    try {
      return HfModel.load(Path.of(job.pretrained().path()), device, dtype, job.model().maxSeqLen());
    } catch (IllegalArgumentException e) {
      throw job.settings().error(JobSchema.MODEL_PATH, e.getMessage());
    }
  }

  @Override
  public void close() {
    if (tokenizer instanceof HfTokenizer hf) {
      hf.close();
    }
  }
}
