package dev.asyncrl.core.config;

import java.util.List;

/**
 * Every key of a job YAML, declared once. {@link JobConfig#from} reads them into records; the README's
 * configuration reference is generated from this list ({@code asyncrl config-reference}).
 */
public final class JobSchema {
  private JobSchema() {}

  private static final String POSITIVE = "must be > 0";
  private static final String NON_NEGATIVE = "must be >= 0";

  // --- top level
  public static final Setting<String> NAME = Setting.string("name", "run", "run name; the run folder is <output_dir>/<name>-<timestamp>");
  public static final Setting<Long> SEED = Setting.longValue("seed", 0, "seed for weights init, prompts and sampling");
  public static final Setting<Integer> MAX_STALENESS = Setting.integer("max_staleness", 2,
      "η: no trajectory is trained more than this many policy versions after the one that sampled it; 0 = synchronous on-policy")
      .check(v -> v >= 0, NON_NEGATIVE);
  public static final Setting<String> OUTPUT_DIR = Setting.string("output_dir", "runs", "folder that receives run folders");

  // --- model
  public static final Setting<Integer> D_MODEL = Setting.integer("model.d_model", 64, "width of the residual stream")
      .check(v -> v > 0, POSITIVE);
  public static final Setting<Integer> N_LAYERS = Setting.integer("model.n_layers", 2, "transformer blocks")
      .check(v -> v > 0, POSITIVE);
  public static final Setting<Integer> N_HEADS = Setting.integer("model.n_heads", 4, "attention heads; must divide d_model")
      .check(v -> v > 0, POSITIVE);
  public static final Setting<Integer> D_FF = Setting.integer("model.d_ff", 0, "MLP hidden width; 0 = 4 × d_model")
      .check(v -> v >= 0, NON_NEGATIVE);
  public static final Setting<Integer> MAX_SEQ_LEN = Setting.integer("model.max_seq_len", 64,
      "longest prompt + response the model accepts (learned positions)").check(v -> v > 0, POSITIVE);

  // --- task
  public static final Setting<String> TASK = Setting.choice("task.name", "reverse", List.of("reverse", "modsum", "addition"),
      "built-in task: reverse (write the prompt's digits backwards; the quickstart), modsum (last digit of a+b) or addition (multi-digit sums)");
  public static final Setting<Integer> DIGITS = Setting.integer("task.digits", 3, "digits to reverse, or operand digits for addition")
      .check(v -> v >= 1 && v <= 9, "must be between 1 and 9");

  // --- rollout
  public static final Setting<Integer> WORKERS = Setting.integer("rollout.workers", 2, "rollout worker threads")
      .check(v -> v > 0, POSITIVE);
  public static final Setting<Integer> GROUP_SIZE = Setting.integer("rollout.group_size", 8,
      "K: responses sampled per prompt (one group)").check(v -> v > 0, POSITIVE);
  public static final Setting<Integer> GROUPS_PER_BATCH = Setting.integer("rollout.groups_per_batch", 1,
      "groups a worker samples together in one batched generation").check(v -> v > 0, POSITIVE);
  public static final Setting<Integer> MAX_NEW_TOKENS = Setting.integer("rollout.max_new_tokens", 8,
      "response length limit; a response that reaches it without a stop token is truncated").check(v -> v > 0, POSITIVE);
  public static final Setting<Double> TEMPERATURE = Setting.number("rollout.temperature", 1.0,
      "sampling temperature; behaviour log-probs are those of the tempered distribution").check(v -> v > 0, POSITIVE);
  public static final Setting<Integer> TOP_K = Setting.integer("rollout.top_k", 0, "sample only from the k most likely tokens; 0 = off")
      .check(v -> v >= 0, NON_NEGATIVE);
  public static final Setting<Double> TOP_P = Setting.number("rollout.top_p", 1.0, "nucleus sampling mass; 1 = off")
      .check(v -> v > 0 && v <= 1, "must be in (0, 1]");

  // --- trainer
  public static final Setting<Integer> STEPS = Setting.integer("trainer.steps", 100, "optimizer steps (policy versions published)")
      .check(v -> v > 0, POSITIVE);
  public static final Setting<Integer> GROUPS_PER_STEP = Setting.integer("trainer.groups_per_step", 8,
      "B: groups in one optimizer batch").check(v -> v > 0, POSITIVE);
  public static final Setting<Double> LR = Setting.number("trainer.lr", 1e-3, "peak learning rate (AdamW)").check(v -> v > 0, POSITIVE);
  public static final Setting<Double> WEIGHT_DECAY = Setting.number("trainer.weight_decay", 0.0,
      "decoupled weight decay (AdamW), applied to matrices only").check(v -> v >= 0, NON_NEGATIVE);
  public static final Setting<Double> BETA1 = Setting.number("trainer.beta1", 0.9, "AdamW β1")
      .check(v -> v >= 0 && v < 1, "must be in [0, 1)");
  public static final Setting<Double> BETA2 = Setting.number("trainer.beta2", 0.999, "AdamW β2")
      .check(v -> v >= 0 && v < 1, "must be in [0, 1)");
  public static final Setting<Double> ADAM_EPS = Setting.number("trainer.adam_eps", 1e-8, "AdamW ε").check(v -> v > 0, POSITIVE);
  public static final Setting<Double> GRAD_CLIP = Setting.number("trainer.grad_clip", 1.0,
      "global gradient-norm clip; 0 = off").check(v -> v >= 0, NON_NEGATIVE);
  public static final Setting<Integer> WARMUP_STEPS = Setting.integer("trainer.warmup_steps", 0, "linear LR warm-up steps")
      .check(v -> v >= 0, NON_NEGATIVE);
  public static final Setting<String> LR_SCHEDULE = Setting.choice("trainer.lr_schedule", "constant",
      List.of("constant", "cosine"), "LR after warm-up: constant, or cosine decay to 10% of lr at the last step");
  public static final Setting<Integer> CHECKPOINT_EVERY = Setting.integer("trainer.checkpoint_every", 0,
      "save a checkpoint every N steps (and always at the end); 0 = only at the end").check(v -> v >= 0, NON_NEGATIVE);

  // --- algorithm
  public static final Setting<String> ALGORITHM = Setting.string("algorithm.name", "grpo",
      "registered algorithm (see the algorithms table)");
  public static final Setting<Double> CLIP_LOW = Setting.number("algorithm.clip_low", 0.2, "PPO ε_low: ratio clipped below at 1 − ε_low")
      .check(v -> v >= 0 && v < 1, "must be in [0, 1)");
  public static final Setting<Double> CLIP_HIGH = Setting.number("algorithm.clip_high", 0.2, "PPO ε_high: ratio clipped above at 1 + ε_high")
      .check(v -> v >= 0, NON_NEGATIVE);
  public static final Setting<Double> DUAL_CLIP = Setting.number("algorithm.dual_clip", 0.0,
      "dual-clip constant c for A < 0 (loss ≤ c·(−A)); 0 = off").check(v -> v == 0 || v > 1, "must be 0 or > 1");
  public static final Setting<String> STD_MODE = Setting.choice("algorithm.std_mode", "unbiased", List.of("unbiased", "population"),
      "GRPO group std: unbiased (N−1) or population (N)");
  public static final Setting<Double> ADV_EPS = Setting.number("algorithm.eps", 1e-6, "GRPO ε in (R − mean)/(std + ε)")
      .check(v -> v >= 0, NON_NEGATIVE);
  public static final Setting<String> ADV_SCALE = Setting.choice("algorithm.scale", "group", List.of("group", "batch", "none"),
      "GRPO std taken over the group, the whole batch, or not divided at all");
  public static final Setting<String> AGGREGATION = Setting.choice("algorithm.aggregation", "token-mean",
      List.of("token-mean", "seq-mean-token-mean", "seq-mean-token-sum", "seq-mean-token-sum-norm"),
      "how per-token losses become one number (ALGORITHMS.md, Aggregation)");

  // --- devices
  public static final Setting<String> TRAINER_DEVICE = Setting.string("devices.trainer", "auto", "auto, cpu or cuda:N");
  public static final Setting<String> ROLLOUT_DEVICE = Setting.string("devices.rollout", "auto", "auto, cpu or cuda:N");
  public static final Setting<Integer> THREADS = Setting.integer("devices.threads", 1,
      "PyTorch intra-op threads per component (trainer, each worker); 0 = all cores").check(v -> v >= 0, NON_NEGATIVE);

  // --- datastore
  public static final Setting<String> STORE = Setting.choice("datastore.type", "memory", List.of("memory"),
      "trajectory store: memory (in-process, bounded)");
  public static final Setting<Integer> STORE_CAPACITY = Setting.integer("datastore.capacity", 64,
      "groups the store holds before append blocks (backpressure)").check(v -> v > 0, POSITIVE);

  public static final ConfigSchema SCHEMA = new ConfigSchema(List.of(
      NAME, SEED, MAX_STALENESS, OUTPUT_DIR,
      D_MODEL, N_LAYERS, N_HEADS, D_FF, MAX_SEQ_LEN,
      TASK, DIGITS,
      WORKERS, GROUP_SIZE, GROUPS_PER_BATCH, MAX_NEW_TOKENS, TEMPERATURE, TOP_K, TOP_P,
      STEPS, GROUPS_PER_STEP, LR, WEIGHT_DECAY, BETA1, BETA2, ADAM_EPS, GRAD_CLIP, WARMUP_STEPS, LR_SCHEDULE, CHECKPOINT_EVERY,
      ALGORITHM, CLIP_LOW, CLIP_HIGH, DUAL_CLIP, STD_MODE, ADV_EPS, ADV_SCALE, AGGREGATION,
      TRAINER_DEVICE, ROLLOUT_DEVICE, THREADS,
      STORE, STORE_CAPACITY));
}
