package dev.asyncrl.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.gpu.HostData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A decoder-only language model: an {@link Architecture} (the built-in GPT, or a Hugging Face Llama/Qwen2
 * model) over parameters that this policy owns in its own {@link NDManager}.
 *
 * <p>One forward serves training (whole sequences, no cache) and sampling (a {@link KvCache}, new tokens
 * only), so the log-probs the workers record and the ones the trainer recomputes come from the same code.
 * Temporaries belong to the caller's scope.
 */
public final class TransformerPolicy implements AutoCloseable {

  private static final NDIndex ALL = new NDIndex("...");

  private final Architecture architecture;
  private final NDManager manager;
  private final Map<String, NDArray> params;
  private Map<String, NDArray> adapters = Map.of();
  private Map<String, DecodingLayout.Group> decoding = Map.of();
  private LoraSpec lora;
  private boolean training;

  /** Takes ownership of {@code manager}, which must hold {@code params}; names are set from the map keys. */
  public TransformerPolicy(Architecture architecture, NDManager manager, Map<String, NDArray> params) {
    this.architecture = architecture;
    this.manager = manager;
    params.forEach((name, array) -> array.setName(name));
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  /** The built-in GPT with fresh weights, deterministic in {@code seed} (see {@link GptArchitecture}). */
  public static TransformerPolicy initialize(GptShape c, int vocabSize, long seed, Device device, DataType dtype) {
    return initialize(c, vocabSize, seed, device, dtype, GptArchitecture.Init.GPT2);
  }

  public static TransformerPolicy initialize(GptShape c, int vocabSize, long seed, Device device, DataType dtype,
      GptArchitecture.Init init) {
    GptArchitecture arch = new GptArchitecture(c, vocabSize);
    NDManager m = NDManager.newBaseManager(device);
    return new TransformerPolicy(arch, m, arch.initialize(m, seed, dtype, init));
  }

  public Architecture architecture() {
    return architecture;
  }

  public int vocabSize() {
    return architecture.vocabSize();
  }

  public Device device() {
    return manager.getDevice();
  }

  public DataType dataType() {
    return params.values().iterator().next().getDataType();
  }

  /**
   * The trained parameters by name, in a fixed order: every weight (full fine-tuning), or only the LoRA
   * adapters. This is the set the optimizer updates, checkpoints hold and the trainer publishes to workers.
   */
  public Map<String, NDArray> parameters() {
    return lora == null ? params : adapters;
  }

  /** Every weight of the model itself (without adapters). */
  public Map<String, NDArray> baseParameters() {
    return params;
  }

  /** Elements of all weights, adapters included. */
  public long parameterCount() {
    return count(params) + count(adapters);
  }

  /** Elements of {@link #parameters()}. */
  public long trainableParameterCount() {
    return count(parameters());
  }

  private static long count(Map<String, NDArray> arrays) {
    return arrays.values().stream().mapToLong(a -> a.getShape().size()).sum();
  }

  /** Marks {@link #parameters()} as trainable (or not); with LoRA the base weights stay frozen. */
  public void setTrainable(boolean trainable) {
    if (trainable && preparedForDecoding()) {
      throw new IllegalStateException("a policy laid out for decoding is only sampled from, never trained");
    }
    parameters().values().forEach(p -> p.setRequiresGradient(trainable));
  }

  /** The LoRA configuration, when adapters are on. */
  public Optional<LoraSpec> lora() {
    return Optional.ofNullable(lora);
  }

  /**
   * Adds LoRA adapters to every target projection (deterministic in {@code seed}); from now on only they
   * are {@link #parameters()}. Call once, before training and before weights are exchanged.
   */
  public void enableLora(LoraSpec spec, long seed) {
    if (lora != null) {
      throw new IllegalStateException("LoRA is already enabled");
    }
    SplittableRandom rng = new SplittableRandom(seed);
    Map<String, NDArray> added = new LinkedHashMap<>();
    Set<String> projections = new TreeSet<>();
    for (String prefix : architecture.projections()) {
      projections.add(prefix.substring(prefix.lastIndexOf('.') + 1));
      if (!spec.targets(prefix)) {
        continue;
      }
      Shape shape = params.get(prefix + ".weight").getShape();
      long out = shape.get(0);
      long in = shape.get(1);
      NDArray arrA = RandomInit.uniform(manager, rng, 1 / Math.sqrt(in), dataType(), new Shape(spec.rank(), in));
      NDArray arrB = manager.zeros(new Shape(out, spec.rank()), dataType());
      arrA.setName(prefix + ".lora_A.weight");
      arrB.setName(prefix + ".lora_B.weight");
      added.put(arrA.getName(), arrA);
      added.put(arrB.getName(), arrB);
    }
    if (added.isEmpty()) {
      throw new IllegalArgumentException("lora.targets " + spec.targets() + " match no projection of this model; "
          + "its projections are " + projections);
    }
    params.values().forEach(p -> p.setRequiresGradient(false));
    this.adapters = Collections.unmodifiableMap(added);
    this.lora = spec;
  }

  /**
   * Lays the weights out for decoding ({@link DecodingLayout}: transposed, q/k/v and gate/up as one matrix
   * each), for a policy that is only sampled from, such as a rollout worker's own copy. The logits are the
   * same up to float rounding; {@link #loadWeights} then writes in place. Call once, after LoRA is enabled
   * if it is; a policy being trained must keep its layout.
   */
  public void prepareForDecoding() {
    if (preparedForDecoding()) {
      return;
    }
    if (params.values().stream().anyMatch(NDArray::hasGradient)) {
      throw new IllegalStateException("a trainable policy cannot be laid out for decoding");
    }
    decoding = DecodingLayout.apply(architecture, manager, params);
  }

  public boolean preparedForDecoding() {
    return !decoding.isEmpty();
  }

  /**
   * Training mode turns on LoRA dropout in {@link #forward}; the trainer sets it around the forward it
   * differentiates.
   */
  public void setTraining(boolean training) {
    this.training = training;
  }

  /** {@link Architecture#forward} without left padding. */
  public NDArray forward(NDArray tokens, KvCache cache) {
    return forward(tokens, cache, null);
  }

  /** {@link Architecture#forward}: logits {@code [B, S, V]}. */
  public NDArray forward(NDArray tokens, KvCache cache, int[] leftPad) {
    return architecture.forward(weights(), tokens, cache, leftPad, LogitRows.ALL);
  }

  /** The logits of the last position only, {@code [B, V]}: what sampling the next token needs. */
  public NDArray nextTokenLogits(NDArray tokens, KvCache cache) {
    int last = Math.toIntExact(tokens.getShape().get(1)) - 1;
    return architecture.forward(weights(), tokens, cache, null, LogitRows.from(last)).squeeze(1);
  }

  private Weights weights() {
    return lora == null ? new Weights(params, Map.of(), decoding, 0, 0)
        : new Weights(params, adapters, decoding, lora.scale(), training ? (float) lora.dropout() : 0f);
  }

  /**
   * The model's weights with every adapter merged in ({@code W + (α/r)·B·A}), for saving a plain model.
   * Merged arrays are new (owned by the caller's scope); the others are this policy's own arrays.
   */
  public Map<String, NDArray> mergedWeights() {
    if (lora == null) {
      return params;
    }
    Map<String, NDArray> out = new LinkedHashMap<>(params);
    for (String name : adapters.keySet()) {
      if (name.endsWith(".lora_A.weight")) {
        String prefix = name.substring(0, name.length() - ".lora_A.weight".length());
        NDArray delta = adapters.get(prefix + ".lora_B.weight").matMul(adapters.get(name)).mul(lora.scale());
        out.put(prefix + ".weight", params.get(prefix + ".weight").add(delta));
      }
    }
    return out;
  }

  /**
   * How the trainer scores a batch of sequences.
   *
   * @param temperature the logits are divided by it
   * @param from        the first next-token column scored: columns before it are 0 and cost no output projection
   *                    (the trainer passes the first column any row trains, so a long shared prompt is not
   *                    projected onto the vocabulary)
   * @param columns     null to score every column from {@code from}; else {@code [B, T-1]}, nonzero where a column
   *                    is scored and 0 before {@code from}. The trainer passes its loss mask, so an episode's tool
   *                    results and role headers cost no output projection; the other columns come out 0.
   * @param entropy     also the entropy of each scored next-token distribution
   */
  public record Scoring(double temperature, int from, NDArray columns, boolean entropy) {

    /** Every column's log-probability, no entropy. */
    public static Scoring logProbs(double temperature) {
      return new Scoring(temperature, 0, null, false);
    }

    /** This scoring of rows {@code start..end} of the batch. */
    public Scoring rows(long start, long end) {
      return columns == null ? this
          : new Scoring(temperature, from, columns.get(new NDIndex("{}:{}", start, end)), entropy);
    }
  }

  /**
   * Log-probability of each next token: {@code out[b, t] = log p(tokens[b, t+1] | tokens[b, ..t])} under
   * logits divided by {@code temperature}. Shape {@code [B, T-1]}.
   */
  public NDArray nextTokenLogProbs(NDArray tokens, double temperature) {
    return score(tokens, Scoring.logProbs(temperature)).singletonOrThrow();
  }

  /**
   * {@link #nextTokenLogProbs} with no gradient graph (autograd must be off), {@code rows} rows per forward, so
   * that only one chunk's {@code [rows, T-1, V]} logits exist at a time; {@code rows <= 0} computes all rows at
   * once. The result is owned by the caller's scope.
   */
  public NDArray nextTokenLogProbs(NDArray tokens, double temperature, int rows) {
    return score(tokens, Scoring.logProbs(temperature), rows).singletonOrThrow();
  }

  /**
   * The next-token log-probabilities {@code ℓ[b, t] = log p(tokens[b, t+1] | tokens[b, ..t])} and, with
   * {@code s.entropy()}, from the same forward, the entropy {@code H[b, t] = −Σ_v p_v log p_v} of that tempered
   * distribution: {@code [ℓ]} or {@code [ℓ, H]}, each {@code [B, T-1]}, 0 in the columns not scored.
   */
  public NDList score(NDArray tokens, Scoring s) {
    long t = tokens.getShape().get(1);
    int from = Math.max(0, Math.min(s.from(), Math.toIntExact(t) - 2));
    // Each [.., V] array is closed as soon as the next is made: autograd keeps what its backward needs (the
    // log-softmax output), and the others are freed now rather than when the caller's scope closes.
    ScoredCells cells = scoredCells(tokens, from, s.columns());
    NDArray logits = cells.logits();                                                          // [.., V]
    if (s.temperature() != 1.0) {
      try (NDArray raw = logits) {
        logits = HostData.dividedBy(raw, s.temperature());
      }
    }
    NDArray logSoftmax = logits.logSoftmax(-1);
    logits.close();
    try (logSoftmax; NDArray picked = logSoftmax.gather(cells.targets().expandDims(-1), -1)) {
      NDList out = new NDList(cells.place(picked.squeeze(-1)));                              // [B, T-1]
      if (s.entropy()) {
        try (NDArray p = logSoftmax.exp(); NDArray plogp = p.mul(logSoftmax)) {
          out.add(cells.place(plogp.sum(new int[] {-1}).neg()));                              // [B, T-1]
        }
      }
      return out;
    }
  }

  /**
   * The cells of a {@code [B, T-1]} scoring that get logits, and where their values go.
   *
   * @param logits  {@code [B, T-1-from, V]} for a range of columns, {@code [N, V]} for scattered cells
   * @param targets the token each cell predicts, shaped like {@code logits} without its last axis
   * @param rows    B
   * @param before  the unscored columns in front of the range ({@code from}), or of the scattered cells' span
   * @param chosen  null for a range of columns; else the scattered cells, a boolean over the span's
   *                {@code [B·(T-1-before)]} cells, row-major
   */
  private record ScoredCells(NDArray logits, NDArray targets, long rows, int before, NDArray chosen) {

    /** {@code values}, one per cell, laid out {@code [B, T-1]} with 0 in every column not scored. */
    NDArray place(NDArray values) {
      if (chosen == null) {
        return unscored(values, before);
      }
      // Each chosen cell reads its value, every other cell the 0 appended behind them: a gather, whose backward
      // sends each cell's gradient to its value.
      NDManager m = values.getManager();
      long n = values.getShape().get(0);
      try (NDArray zero = m.zeros(new Shape(1), values.getDataType()); NDArray padded = values.concat(zero);
          NDArray ones = chosen.toType(DataType.INT64, false); NDArray counts = ones.cumSum(0);
          NDArray ranks = counts.sub(ones); NDArray rest = ranks.zerosLike().add(n);
          NDArray slots = NDArrays.where(chosen, ranks, rest); NDArray span = padded.get(slots)) {
        return unscored(span.reshape(rows, -1), before);
      }
    }
  }

  /**
   * The logits of the scored cells of {@code tokens [B, T]}. The columns before {@code from} that every row shares
   * (a group's prompt) go through the model once, for one row, and the rows attend to its keys and values
   * ({@link SharedPrefixCache}); the math is that of a forward of each row whole.
   */
  private ScoredCells scoredCells(NDArray tokens, int from, NDArray columns) {
    long t = tokens.getShape().get(1);
    long rows = tokens.getShape().get(0);
    NDArray inputs = tokens.get(new NDIndex(":, :{}", t - 1));                              // [B, T-1]
    int shared = rows > 1 ? Math.min(sharedColumns(inputs), from) : 0;
    SharedPrefixCache cache = null;
    if (shared > 0) {
      cache = new SharedPrefixCache(architecture.layers());
      try (NDArray none = architecture.forward(weights(), inputs.get(new NDIndex(":1, :{}", shared)), cache, null,
          LogitRows.from(shared))) {                                                          // [1, 0, V]
        inputs = inputs.get(new NDIndex(":, {}:", shared));                                   // [B, T-1-shared]
      }
    }
    if (columns == null) {
      NDArray logits = architecture.forward(weights(), inputs, cache, null, LogitRows.from(from - shared));
      return new ScoredCells(logits, tokens.get(new NDIndex(":, {}:", from + 1)), rows, from, null);
    }
    NDArray chosen = columns.get(new NDIndex(":, {}:", shared)).reshape(-1).gt(0);           // [B·(T-1-shared)]
    NDArray index;
    try (NDArray where = chosen.nonzero()) {
      index = where.reshape(-1);                                                              // [N]
    }
    NDArray logits = architecture.forward(weights(), inputs, cache, null, LogitRows.at(index)); // [N, V]
    NDArray targets = tokens.get(new NDIndex(":, {}:", shared + 1)).reshape(-1).get(index);  // [N]
    return new ScoredCells(logits, targets, rows, shared, chosen);
  }

  /** How many leading columns every row of {@code tokens [B, S]} has equal to the first row's (one host read). */
  private static int sharedColumns(NDArray tokens) {
    try (NDArray first = tokens.get(new NDIndex(":1")); NDArray equal = tokens.eq(first);
        NDArray asInts = equal.toType(DataType.INT32, false); NDArray everyRow = asInts.min(new int[] {0})) {
      int[] same = everyRow.toIntArray();                                       // [S]: 1 where all rows agree
      int n = 0;
      while (n < same.length && same[n] == 1) {
        n++;
      }
      return n;
    }
  }

  /**
   * {@link #score} in training mode, for a loss to differentiate: LoRA dropout, if any, applies here and nowhere
   * else.
   */
  public NDList trainingScore(NDArray tokens, Scoring s) {
    setTraining(true);
    try {
      return score(tokens, s);
    } finally {
      setTraining(false);
    }
  }

  /** {@code scored [B, T-1-from]} behind {@code from} zero columns. */
  private static NDArray unscored(NDArray scored, int from) {
    if (from == 0) {
      return scored;
    }
    Shape shape = scored.getShape();
    try (NDArray zeros = scored.getManager().zeros(new Shape(shape.get(0), from), scored.getDataType())) {
      return zeros.concat(scored, 1);
    }
  }

  /** {@link #score} without a graph (autograd must be off), {@code rows} rows per forward ({@code <= 0}: all). */
  public NDList score(NDArray tokens, Scoring s, int rows) {
    long n = tokens.getShape().get(0);
    long chunk = rows <= 0 ? n : rows;
    List<NDList> parts = new ArrayList<>();
    for (long r = 0; r < n; r += chunk) {
      try (NDScope ignored = new NDScope()) {
        long end = Math.min(n, r + chunk);
        NDList part = score(tokens.get(new NDIndex("{}:{}", r, end)), s.rows(r, end));
        part.forEach(NDScope::unregister);
        parts.add(part);
      }
    }
    NDList out = new NDList();
    for (int i = 0; i < parts.get(0).size(); i++) {
      int column = i;
      NDList pieces = new NDList(parts.stream().map(p -> p.get(column)).toList());
      if (pieces.size() == 1) {
        NDScope.register(pieces.get(0));
        out.add(pieces.get(0));
      } else {
        try (pieces) {
          out.add(NDArrays.concat(pieces, 0));
        }
      }
    }
    return out;
  }

  /**
   * A copy of every parameter (no gradient history), owned by {@code target}, with parameter names set.
   * Must run with autograd off on the calling thread (see {@code ComputeThread}).
   */
  public NDList copyWeights(NDManager target) {
    NDList out = new NDList(parameters().size());
    for (Map.Entry<String, NDArray> e : parameters().entrySet()) {
      NDArray copy = copyOf(e.getValue(), target.getDevice(), e.getValue().getDataType());
      copy.attach(target);
      copy.setName(e.getKey());
      out.add(copy);
    }
    return out;
  }

  /**
   * Overwrites every parameter with the array of the same name in {@code weights}, without a host round
   * trip; trainability is kept. Names, count and shapes must match exactly. A policy laid out for decoding
   * is written in place, so its layout stays.
   */
  public void loadWeights(NDList weights) {
    Map<String, NDArray> byName = new LinkedHashMap<>();
    for (NDArray w : weights) {
      byName.put(w.getName(), w);
    }
    for (String name : byName.keySet()) {
      if (!parameters().containsKey(name)) {
        throw new IllegalArgumentException("weights contain '" + name + "', which this model does not have");
      }
    }
    for (Map.Entry<String, NDArray> e : parameters().entrySet()) {
      NDArray dst = e.getValue();
      NDArray src = byName.get(e.getKey());
      if (src == null) {
        throw new IllegalArgumentException("weights lack '" + e.getKey() + "'");
      }
      if (!src.getShape().equals(dst.getShape())) {
        throw new IllegalArgumentException("weight '" + e.getKey() + "' has shape " + src.getShape()
            + ", the model expects " + dst.getShape());
      }
      if (preparedForDecoding()) {
        if (src.getDevice().equals(dst.getDevice()) && src.getDataType() == dst.getDataType()) {
          dst.set(ALL, src);
        } else {
          try (NDArray copy = copyOf(src, dst.getDevice(), dst.getDataType())) {
            dst.set(ALL, copy);
          }
        }
        continue;
      }
      boolean trainable = dst.hasGradient();
      NDArray copy = copyOf(src, dst.getDevice(), dst.getDataType());
      copy.attach(manager);
      dst.intern(copy); // dst takes the copy's storage and closes the copy
      if (trainable) {
        dst.setRequiresGradient(true);
      }
    }
  }

  /** A new array (never an alias) with src's values on {@code device} as {@code dtype}. */
  private static NDArray copyOf(NDArray src, Device device, DataType dtype) {
    NDArray moved = src.getDevice().equals(device) ? src.duplicate() : src.toDevice(device, true);
    if (moved.getDataType() == dtype) {
      return moved;
    }
    try (moved) {
      return moved.toType(dtype, true);
    }
  }

  /** Arrays alive in this policy's manager (parameters, gradients, leaks); for memory tests. */
  public int managedArrayCount() {
    return manager.getManagedArrays().size();
  }

  public NDManager manager() {
    return manager;
  }

  @Override
  public void close() {
    manager.close();
  }
}
