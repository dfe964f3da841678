package dev.asyncrl.core.config;

import dev.asyncrl.core.HorizonSchedule;
import java.util.ArrayList;
import java.util.List;

/**
 * Every key of a job YAML, declared once. {@link JobConfig#from} reads them into records; the README's
 * configuration reference is generated from this list ({@code asyncrl config-reference}). The parameters
 * under {@code algorithm} are declared by each algorithm (module {@code algorithms}) and passed to
 * {@link #with}.
 */
public final class JobSchema {
  private JobSchema() {}

  /** Every setting declared below, in declaration order; {@link #declare} adds each one. */
  private static final List<Setting<?>> DECLARED = new ArrayList<>();

  /** Registers {@code s} as a key of the job schema: declaring a key is this one statement. */
  private static <T> Setting<T> declare(Setting<T> s) {
    DECLARED.add(s);
    return s;
  }

  private static final String POSITIVE = "must be > 0";
  private static final String NON_NEGATIVE = "must be >= 0";

  /** A check that an integer lies in [lo, hi]: sizes beyond any real job are typos, not jobs. */
  private static Setting<Integer> within(Setting<Integer> s, int lo, int hi) {
    return s.check(v -> v >= lo && v <= hi, "must be between " + lo + " and " + hi);
  }

  /** A run name becomes a folder under output_dir: one plain path segment. */
  static final String NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

  /** Where a component computes. Whether a named GPU exists is checked when the job starts. */
  /** The type weights compute in. */
  public enum ComputeType { FLOAT32, FLOAT16, BFLOAT16 }

  /** How the built-in model's weights are drawn. */
  public enum ModelInit { GPT2, PYTORCH }

  /** Where a Hugging Face model's weights come from. */
  public enum ModelWeights { LOAD, RANDOM }

  /** Whether rollout responses may span policy versions ({@code auto}: for Hugging Face models). */
  public enum Partial { AUTO, TRUE, FALSE }

  /** The learning rate after warm-up. */
  public enum Schedule { CONSTANT, COSINE }

  /** Where trajectories go. */
  public enum Store { MEMORY, KAFKA }

  /** Kafka producer compression, by Kafka's own names. */
  public enum Compression { NONE, GZIP, SNAPPY, LZ4, ZSTD }

  /**
   * A compute type. bfloat16 is refused by name: DJL's PyTorch engine aborts the whole process on bfloat16
   * tensors instead of raising an error.
   */
  private static Setting<ComputeType> dtype(String path, String doc) {
    return Setting.choice(path, ComputeType.FLOAT32, doc)
        .check(v -> v != ComputeType.BFLOAT16, "must not be bfloat16 (DJL's PyTorch engine aborts the process on "
            + "bfloat16 tensors); use float16 on a GPU, or float32");
  }

  static final String DEVICE_PATTERN = "(?i)auto|cpu|(cuda|gpu):[0-9]{1,3}";

  // --- top level
  public static final Setting<String> NAME = declare(Setting.string("name", "run", "run name; the run folder is <output_dir>/<name>-<timestamp>")
      .check(v -> v.matches(NAME_PATTERN), "must be a folder name (letters, digits, '.', '_', '-'; starting with a letter or "
          + "digit; at most 128 characters)"));
  public static final Setting<Long> SEED = declare(Setting.longValue("seed", 0, "seed for weights init, prompts and sampling"));
  public static final Setting<Integer> MAX_STALENESS = declare(Setting.integer("max_staleness", 2,
      "η: no trajectory is trained more than this many policy versions after the one that sampled it; 0 = synchronous on-policy")
      .check(v -> v >= 0, NON_NEGATIVE));
  public static final Setting<String> OUTPUT_DIR = declare(Setting.string("output_dir", "runs", "folder that receives run folders"));

  // --- model
  public static final Setting<Integer> D_MODEL = declare(within(Setting.integer("model.d_model", 64, "width of the residual stream"), 1, 65536));
  public static final Setting<Integer> N_LAYERS = declare(within(Setting.integer("model.n_layers", 2, "transformer blocks"), 1, 1024));
  public static final Setting<Integer> N_HEADS = declare(within(Setting.integer("model.n_heads", 4, "attention heads; must divide d_model"), 1, 1024));
  public static final Setting<Integer> D_FF = declare(within(Setting.integer("model.d_ff", 0, "MLP hidden width; 0 = 4 × d_model"), 0, 1048576));
  public static final Setting<ModelInit> MODEL_INIT = declare(Setting.choice("model.init", ModelInit.GPT2,
      "how the built-in model's weights are drawn: gpt2 (N(0, 0.02); residual projections scaled by 1/√(2·n_layers)) "
      + "or pytorch (the defaults of PyTorch's Embedding, MultiheadAttention and Linear modules: N(0, 1) token "
      + "embeddings, uniform ±1/√fan_in matrices)"));
  public static final Setting<Integer> MAX_SEQ_LEN = declare(within(Setting.integer("model.max_seq_len", 64,
      "longest prompt + response the model accepts (built-in: learned positions; a Hugging Face model: at most its "
      + "max_position_embeddings)"), 1, 1048576));
  public static final Setting<String> MODEL_PATH = declare(Setting.string("model.path", "",
      "a Hugging Face model folder (config.json, safetensors weights, tokenizer.json; Llama/Qwen2/Mistral); "
      + "'' = the built-in model shaped by d_model, n_layers, n_heads, d_ff"));
  public static final Setting<ModelWeights> MODEL_WEIGHTS = declare(Setting.choice("model.weights", ModelWeights.LOAD,
      "a Hugging Face model's weights: load (the folder's safetensors) or random (fresh weights for the folder's "
      + "config.json, drawn from seed as Hugging Face initialises them: a model shape for experiments, with the "
      + "folder's tokenizer and chat template; the folder needs no weight files)"));
  public static final Setting<ComputeType> MODEL_DTYPE = declare(dtype("model.dtype",
      "compute type of the trainer's Hugging Face model (bf16/f16 checkpoints are converted on load); float16 needs a GPU"));
  public static final Setting<ComputeType> ROLLOUT_DTYPE = declare(dtype("model.rollout_dtype",
      "compute type of the rollout workers' copies; float16 halves their memory and weight reads, and "
      + "rollout/logprob_mismatch shows what it costs (meant for GPUs: float16 products are slow on CPUs)"));

  // --- LoRA
  public static final Setting<Integer> LORA_RANK = declare(Setting.integer("lora.rank", 0,
      "rank r of low-rank adapters on the target projections; the base weights stay frozen. 0 = full fine-tuning")
      .check(v -> v >= 0, NON_NEGATIVE));
  public static final Setting<Double> LORA_ALPHA = declare(Setting.number("lora.alpha", 16.0,
      "adapter scale numerator: the update is (alpha / rank) · B·A").check(v -> v > 0, POSITIVE));
  public static final Setting<Double> LORA_DROPOUT = declare(Setting.number("lora.dropout", 0.0,
      "dropout on the adapter's input during training").check(v -> v >= 0 && v < 1, "must be in [0, 1)"));
  public static final Setting<String> LORA_TARGETS = declare(Setting.string("lora.targets", "q_proj,k_proj,v_proj,o_proj",
      "comma-separated projections that get adapters (Hugging Face models: q_proj, k_proj, v_proj, o_proj, gate_proj, "
      + "up_proj, down_proj; the built-in model: qkv, proj, fc)"));
  public static final Setting<Boolean> LORA_SAVE_MERGED = declare(Setting.flag("lora.save_merged", false,
      "also save the final model with the adapters merged into the base weights (a plain Hugging Face folder)"));

  // --- task
  public static final Setting<String> TASK = declare(Setting.string("task.name", "reverse",
      "the task: reverse (write the prompt's digits backwards; the quickstart), modsum (last digit of a+b), addition "
      + "(multi-digit sums), math (word problems from task.data, GSM8K/MATH JSONL; reward 1 for an equivalent final "
      + "answer), guess (multi-turn: find a hidden number from higher/lower feedback), or the name of an environment "
      + "provider found on the class path or in task.plugins"));
  public static final Setting<String> TASK_CLASS = declare(Setting.string("task.class", "",
      "an environment provider by class name (implementing dev.asyncrl.rollout.EnvironmentProvider, from the class "
      + "path or a jar in task.plugins); '' = task.name chooses. Its parameters are the keys under task.params"));
  public static final Setting<String> TASK_PLUGINS = declare(Setting.string("task.plugins", "",
      "a folder of plug-in jars (environment providers, reward functions and what they need), searched for task.name, "
      + "task.class and task.reward_class; "
      + "'' = the class path only"));
  public static final Setting<String> REWARD_CLASS = declare(Setting.string("task.reward_class", "",
      "a single-turn task's reward by class name, scoring each response instead of the task's own check: implementing "
      + "dev.asyncrl.rollout.RewardFunction with a public no-argument constructor, from the class path or a jar in "
      + "task.plugins; what it throws is a counted failed episode. '' = the task's own"));
  public static final Setting<String> TOOLS = declare(Setting.string("task.tools", "",
      "comma-separated built-in tools the model may call in its turns (calculator); their descriptions go to the chat "
      + "template, Hermes-style <tool_call> and Llama 3.1 JSON calls are run and answered as tool messages, each call "
      + "a turn of rollout.max_turns. A single-turn task with tools becomes multi-turn: the turn without a call is the "
      + "answer. '' = none"));
  public static final Setting<Integer> DIGITS = declare(Setting.integer("task.digits", 3, "digits to reverse, or operand digits for addition")
      .check(v -> v >= 1 && v <= 9, "must be between 1 and 9"));
  public static final Setting<String> TASK_DATA = declare(Setting.string("task.data", "",
      "math: training problems, a JSONL file (one JSON object per line)"));
  public static final Setting<String> TASK_EVAL_DATA = declare(Setting.string("task.eval_data", "",
      "math: held-out problems (JSONL) for evaluation during training; '' = none"));
  public static final Setting<String> QUESTION_FIELD = declare(Setting.string("task.question_field", "question",
      "math: the field holding the problem (GSM8K: question; MATH: problem)"));
  public static final Setting<String> ANSWER_FIELD = declare(Setting.string("task.answer_field", "answer",
      "math: the field holding the reference: text ending in '#### answer' (GSM8K), a solution with \\boxed{} (MATH: "
      + "solution), or the bare answer"));
  public static final Setting<String> PROMPT_TEMPLATE = declare(Setting.string("task.prompt_template",
      "{question}\nPlease reason step by step, and put your final answer within \\boxed{}.",
      "math: the user prompt; {question} is replaced by the problem"));
  public static final Setting<String> SYSTEM_PROMPT = declare(Setting.string("task.system_prompt", "",
      "system turn before the prompt when the chat template is used; '' = none (the template may add its default)"));
  public static final Setting<Boolean> CHAT_TEMPLATE = declare(Setting.flag("task.chat_template", true,
      "format prompts with the model's chat template (tokenizer_config.json) when it has one"));
  public static final Setting<Integer> EVAL_EVERY = declare(Setting.integer("task.eval_every", 0,
      "evaluate every N steps, greedy: a single-turn task on its held-out problems; an environment on its instances "
      + "0 .. task.eval_size - 1, each played to the last horizon of rollout.max_turns (metrics eval/accuracy, "
      + "eval/turns_mean, …); 0 = never")
      .check(v -> v >= 0, NON_NEGATIVE));
  public static final Setting<Integer> EVAL_SIZE = declare(Setting.integer("task.eval_size", 0,
      "use only the first N held-out problems; 0 = all (an environment: N episodes; 0 = 64)").check(v -> v >= 0, NON_NEGATIVE));

  // --- rollout
  public static final Setting<Integer> WORKERS = declare(within(Setting.integer("rollout.workers", 2, "rollout worker threads"), 1, 1024));
  public static final Setting<Integer> GROUP_SIZE = declare(within(Setting.integer("rollout.group_size", 8,
      "K: responses sampled per prompt (one group)"), 1, 4096));
  public static final Setting<Integer> GROUPS_PER_BATCH = declare(within(Setting.integer("rollout.groups_per_batch", 1,
      "groups a worker samples together in one batched generation"), 1, 4096));
  public static final Setting<Integer> MAX_NEW_TOKENS = declare(within(Setting.integer("rollout.max_new_tokens", 8,
      "response length limit; a response that reaches it without a stop token is truncated"), 1, 1048576));
  public static final Setting<Double> TEMPERATURE = declare(Setting.number("rollout.temperature", 1.0,
      "sampling temperature; behaviour log-probs are those of the tempered distribution").check(v -> v > 0, POSITIVE));
  public static final Setting<Integer> TOP_K = declare(Setting.integer("rollout.top_k", 0, "sample only from the k most likely tokens; 0 = off")
      .check(v -> v >= 0, NON_NEGATIVE));
  public static final Setting<Integer> LAG = declare(Setting.integer("rollout.lag", 0,
      "research control: workers sample with the weights exactly this many versions older than the newest (0 = newest); "
      + "trajectories are then between lag and lag + max_staleness versions old; lag + 2 versions are kept in memory")
      .check(v -> v >= 0 && v <= 256, "must be between 0 and 256"));
  public static final Setting<Integer> SLOTS = declare(within(Setting.integer("rollout.slots", 0,
      "sequences a worker decodes together (continuous batching: a finished response's slot takes the next one at "
      + "once); 0 = group_size × groups_per_batch"), 0, 65536));
  public static final Setting<Partial> PARTIAL = declare(Setting.choice("rollout.partial", Partial.AUTO,
      "partial rollouts: load a new policy version between two tokens and continue the responses in flight (each "
      + "token records its version; staleness counts from a response's oldest token); false = only between responses, "
      + "so a group has one version; auto = true for a Hugging Face model, false for the built-in one"));
  public static final Setting<Integer> MAX_FAILED_EPISODES = declare(Setting.integer("rollout.max_failed_episodes", 100,
      "episodes whose environment or reward function throws or gives a reward that is NaN/infinite are counted "
      + "(rollout/failed_episodes) and their groups skipped; past this many (per rollout process) the run stops with "
      + "an error naming the environment").check(v -> v >= 0, NON_NEGATIVE));
  public static final Setting<HorizonSchedule> MAX_TURNS = declare(Setting.of("rollout.max_turns", HorizonSchedule.TYPE,
      HorizonSchedule.fixed(1), "the most model turns in an episode: a number, or a schedule that lengthens the horizon "
      + "during training, [5, 10@100, 20@200] (5 turns, 10 from step 100, 20 from step 200); single-turn tasks end "
      + "after one turn whatever this is"));
  public static final Setting<Double> TOP_P = declare(Setting.number("rollout.top_p", 1.0, "nucleus sampling mass; 1 = off")
      .check(v -> v > 0 && v <= 1, "must be in (0, 1]"));


  // --- env
  public static final Setting<Integer> ENV_LATENCY = declare(within(Setting.integer("env.latency_ms", 0,
      "a delay before every environment step, to simulate a slow environment (a tool call, a remote server); "
      + "rollout workers keep decoding other episodes meanwhile"), 0, 3_600_000));

  // --- trainer
  public static final Setting<Integer> STEPS = declare(Setting.integer("trainer.steps", 100, "optimizer steps (policy versions published)")
      .check(v -> v > 0, POSITIVE));
  public static final Setting<Integer> GROUPS_PER_STEP = declare(within(Setting.integer("trainer.groups_per_step", 8,
      "B: groups in one optimizer batch"), 1, 1000000));
  public static final Setting<Integer> MINI_BATCHES = declare(within(Setting.integer("trainer.mini_batches", 1,
      "optimizer updates per step: the B groups are split into this many mini-batches (must divide groups_per_step); "
      + "the proximal log-probs ℓold are those before the first"), 1, 1000000));
  public static final Setting<Integer> EPOCHS = declare(within(Setting.integer("trainer.epochs", 1,
      "passes over each step's groups (PPO epochs): mini_batches × epochs optimizer updates per step, every one "
      + "against the same ℓold, the weights before the step's first update"), 1, 1000));
  public static final Setting<Integer> MICRO_BATCH_ROWS = declare(within(Setting.integer("trainer.micro_batch_rows", 0,
      "responses per forward/backward pass: a mini-batch with more is split and its gradient accumulated (the same "
      + "gradient, one extra forward without a graph); bounds the [rows, tokens, vocabulary] logits in memory. "
      + "0 = the whole mini-batch in one pass"), 0, 1000000));
  public static final Setting<Double> LR = declare(Setting.number("trainer.lr", 1e-3, "peak learning rate (AdamW)").check(v -> v > 0, POSITIVE));
  public static final Setting<Double> WEIGHT_DECAY = declare(Setting.number("trainer.weight_decay", 0.0,
      "decoupled weight decay (AdamW), applied to matrices only").check(v -> v >= 0, NON_NEGATIVE));
  public static final Setting<Double> BETA1 = declare(Setting.number("trainer.beta1", 0.9, "AdamW β1")
      .check(v -> v >= 0 && v < 1, "must be in [0, 1)"));
  public static final Setting<Double> BETA2 = declare(Setting.number("trainer.beta2", 0.999, "AdamW β2")
      .check(v -> v >= 0 && v < 1, "must be in [0, 1)"));
  public static final Setting<Double> ADAM_EPS = declare(Setting.number("trainer.adam_eps", 1e-8, "AdamW ε").check(v -> v > 0, POSITIVE));
  public static final Setting<Double> GRAD_CLIP = declare(Setting.number("trainer.grad_clip", 1.0,
      "global gradient-norm clip; 0 = off").check(v -> v >= 0, NON_NEGATIVE));
  public static final Setting<Integer> WARMUP_STEPS = declare(Setting.integer("trainer.warmup_steps", 0, "linear LR warm-up steps")
      .check(v -> v >= 0, NON_NEGATIVE));
  public static final Setting<Schedule> LR_SCHEDULE = declare(Setting.choice("trainer.lr_schedule", Schedule.CONSTANT,
      "LR after warm-up: constant, or cosine decay to 10% of lr at the last step"));
  public static final Setting<Integer> CHECKPOINT_EVERY = declare(Setting.integer("trainer.checkpoint_every", 0,
      "save a checkpoint every N steps (and always at the end); 0 = only at the end").check(v -> v >= 0, NON_NEGATIVE));
  public static final Setting<Integer> KEEP_CHECKPOINTS = declare(Setting.integer("trainer.keep_checkpoints", 0,
      "keep only the newest N checkpoints, deleting older ones as new ones are written (N + 1 while one is "
      + "being written); 0 = keep all")
      .check(v -> v >= 0, NON_NEGATIVE));
  public static final Setting<Boolean> TENSORBOARD = declare(Setting.flag("trainer.tensorboard", true,
      "write every step metric as a TensorBoard scalar to <run>/tensorboard/ (tensorboard --logdir runs/)"));
  public static final Setting<Integer> LOG_SAMPLES = declare(Setting.integer("trainer.log_samples", 4,
      "responses per step written to samples.jsonl with their prompt, text and reward (the first response of "
      + "each of the step's first groups); 0 = none").check(v -> v >= 0, NON_NEGATIVE));
  public static final Setting<Integer> MAX_NONFINITE_STEPS = declare(Setting.integer("trainer.max_nonfinite_steps", 10,
      "stop the run with an error after this many consecutive steps whose loss or gradient was NaN or infinite "
      + "(their updates are skipped)").check(v -> v > 0, POSITIVE));

  // --- supervised warm-up
  public static final Setting<Integer> SFT_STEPS = declare(within(Setting.integer("sft.steps", 0,
      "supervised fine-tuning steps on the environment's demonstrations before RL (a fresh run only; then the "
      + "optimizer starts afresh and the warmed-up weights are version 0 and the KL reference); 0 = none"), 0, 10_000_000));
  public static final Setting<Integer> SFT_BATCH = declare(within(Setting.integer("sft.batch", 16,
      "demonstrations per supervised step, each of a fresh random task instance"), 1, 1_000_000));
  public static final Setting<Double> SFT_LR = declare(Setting.number("sft.lr", 1e-3,
      "learning rate of the supervised steps (AdamW, constant; trainer.grad_clip applies)").check(v -> v > 0, POSITIVE));

  // --- algorithm
  public static final Setting<String> ALGORITHM = declare(Setting.string("algorithm.name", "grpo",
      "registered algorithm; its parameters are listed below under algorithm.name: <name>"));

  // --- devices
  public static final Setting<String> TRAINER_DEVICE = declare(Setting.string("devices.trainer", "auto",
      "where the trainer computes: auto (cuda:0 when a GPU is visible, else the CPU), cpu or cuda:N")
      .check(v -> v.strip().matches(DEVICE_PATTERN), "must be auto, cpu or cuda:N"));
  public static final Setting<String> ROLLOUT_DEVICE = declare(Setting.string("devices.rollout", "auto",
      "where the rollout workers compute: auto (every GPU but the trainer's, else the trainer's GPU, else the CPU), "
      + "cpu, cuda:N, or a list cuda:N,cuda:M that the workers are spread over in turn")
      .check(v -> v.strip().matches(DEVICE_PATTERN + "|((cuda|gpu):[0-9]{1,3}\\s*,\\s*)+(cuda|gpu):[0-9]{1,3}"),
          "must be auto, cpu, cuda:N or a list cuda:N,cuda:M"));
  public static final Setting<Integer> THREADS = declare(Setting.integer("devices.threads", 1,
      "PyTorch intra-op threads per component (trainer, each worker); 0 = all cores").check(v -> v >= 0, NON_NEGATIVE));

  // --- monitoring
  public static final Setting<Integer> PROMETHEUS_PORT = declare(within(Setting.integer("monitoring.prometheus_port", 0,
      "serve Prometheus metrics at http://host:PORT/metrics: the trainer's step metrics on PORT, rollout-worker "
      + "process I's counters on PORT + 1 + I; 0 = off"), 0, 65535));

  // --- datastore
  public static final Setting<Store> STORE = declare(Setting.choice("datastore.type", Store.MEMORY,
      "trajectory store: memory (in-process, bounded) or kafka (a durable log; trainer and rollout workers may run as "
      + "separate processes: asyncrl launch / trainer / rollout-worker)"));
  public static final Setting<Integer> STORE_CAPACITY = declare(within(Setting.integer("datastore.capacity", 64,
      "groups the store holds before append blocks (backpressure)"), 1, 1000000));

  public static final Setting<String> KAFKA_BOOTSTRAP = declare(Setting.string("datastore.bootstrap", "localhost:9092",
      "kafka: bootstrap.servers of the cluster (asyncrl launch --embedded-kafka sets it)"));
  public static final Setting<Integer> KAFKA_CONNECT_TIMEOUT = declare(within(Setting.integer("datastore.connect_timeout_s", 30,
      "kafka: a process that cannot reach the broker within this many seconds stops with an error"), 1, 3600));
  public static final Setting<String> KAFKA_TOPIC = declare(Setting.string("datastore.topic", "",
      "kafka: the trajectory topic; '' = asyncrl.<name>. Also uses <topic>.dead-letter and <topic>.weights (compacted)"));
  public static final Setting<Integer> KAFKA_PARTITIONS = declare(within(Setting.integer("datastore.partitions", 1,
      "kafka: partitions of the trajectory topic when asyncrl creates it (records are keyed by group id). One keeps the "
      + "trainer reading in append order; more raise throughput but interleave partitions, so more groups may arrive "
      + "late and be dropped as stale"), 1, 10000));
  public static final Setting<Integer> KAFKA_REPLICATION = declare(Setting.integer("datastore.replication", 1,
      "kafka: replication factor of the topics asyncrl creates").check(v -> v > 0 && v <= Short.MAX_VALUE, POSITIVE));
  public static final Setting<Compression> KAFKA_COMPRESSION = declare(Setting.choice("datastore.compression",
      Compression.LZ4, "kafka: producer compression"));
  public static final Setting<String> WEIGHTS_DIR = declare(Setting.string("datastore.weights_dir", "",
      "kafka: folder (local, or shared by every machine) where the trainer writes each published version as "
      + "safetensors; '' = <run folder>/weights. Extra Kafka client properties (security.protocol, sasl.*, ssl.*) go "
      + "under datastore.client and are passed through unchanged"));

  /** Every base key, in declaration order (the order of the resolved YAML and the reference page). */
  public static final List<Setting<?>> BASE = List.copyOf(DECLARED);

  /** The job schema with {@code algorithms} as the choices of {@code algorithm.name}. */
  public static ConfigSchema with(List<Variant> algorithms) {
    return new ConfigSchema(BASE, ALGORITHM, algorithms);
  }
}
