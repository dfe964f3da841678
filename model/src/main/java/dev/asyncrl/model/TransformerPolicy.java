package dev.asyncrl.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.asyncrl.core.config.JobConfig.ModelConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A decoder-only transformer language model (GPT-2 layout): token + learned position embeddings, pre-norm
 * blocks of causal multi-head self-attention and a GELU MLP, a final LayerNorm and an untied LM head.
 *
 * <p>One forward serves training (whole sequences, no cache) and sampling (a {@link KvCache}, new tokens
 * only), so the log-probs the workers record and the ones the trainer recomputes come from the same code.
 * All parameters live in this policy's own {@link NDManager}; temporaries belong to the caller's scope.
 */
public final class TransformerPolicy implements AutoCloseable {

  private static final float NEG_INF = -1e9f;

  private final ModelConfig config;
  private final int vocabSize;
  private final NDManager manager;
  private final Map<String, NDArray> params;
  private final int headDim;

  private TransformerPolicy(ModelConfig config, int vocabSize, NDManager manager, Map<String, NDArray> params) {
    this.config = config;
    this.vocabSize = vocabSize;
    this.manager = manager;
    this.params = Collections.unmodifiableMap(params);
    this.headDim = config.dModel() / config.nHeads();
  }

  /**
   * Fresh weights, deterministic in {@code seed}: N(0, 0.02) for matrices and embeddings, N(0, 0.02/√(2L))
   * for the projections that write into the residual stream, zero biases, unit LayerNorm gains.
   */
  public static TransformerPolicy initialize(ModelConfig c, int vocabSize, long seed, Device device, DataType dtype) {
    SplittableRandom rng = new SplittableRandom(seed);
    NDManager m = NDManager.newBaseManager(device);
    Map<String, NDArray> p = new LinkedHashMap<>();
    int d = c.dModel();
    double residualStd = 0.02 / Math.sqrt(2.0 * c.nLayers());
    p.put("tok_emb", normal(m, rng, 0.02, dtype, vocabSize, d));
    p.put("pos_emb", normal(m, rng, 0.02, dtype, c.maxSeqLen(), d));
    for (int l = 0; l < c.nLayers(); l++) {
      String b = "blocks." + l + ".";
      p.put(b + "ln1.weight", m.ones(new Shape(d), dtype));
      p.put(b + "ln1.bias", m.zeros(new Shape(d), dtype));
      p.put(b + "attn.qkv.weight", normal(m, rng, 0.02, dtype, 3L * d, d));
      p.put(b + "attn.qkv.bias", m.zeros(new Shape(3L * d), dtype));
      p.put(b + "attn.proj.weight", normal(m, rng, residualStd, dtype, d, d));
      p.put(b + "attn.proj.bias", m.zeros(new Shape(d), dtype));
      p.put(b + "ln2.weight", m.ones(new Shape(d), dtype));
      p.put(b + "ln2.bias", m.zeros(new Shape(d), dtype));
      p.put(b + "mlp.fc.weight", normal(m, rng, 0.02, dtype, c.dFf(), d));
      p.put(b + "mlp.fc.bias", m.zeros(new Shape(c.dFf()), dtype));
      p.put(b + "mlp.proj.weight", normal(m, rng, residualStd, dtype, d, c.dFf()));
      p.put(b + "mlp.proj.bias", m.zeros(new Shape(d), dtype));
    }
    p.put("ln_f.weight", m.ones(new Shape(d), dtype));
    p.put("ln_f.bias", m.zeros(new Shape(d), dtype));
    p.put("lm_head.weight", normal(m, rng, 0.02, dtype, vocabSize, d));
    p.forEach((name, array) -> array.setName(name));
    return new TransformerPolicy(c, vocabSize, m, p);
  }

  private static NDArray normal(NDManager m, SplittableRandom rng, double std, DataType dtype, long... dims) {
    Shape shape = new Shape(dims);
    double[] v = new double[Math.toIntExact(shape.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextGaussian() * std;
    }
    try (NDArray d = m.create(v, shape)) {
      return d.toType(dtype, true);
    }
  }

  public ModelConfig config() {
    return config;
  }

  public int vocabSize() {
    return vocabSize;
  }

  public Device device() {
    return manager.getDevice();
  }

  public DataType dataType() {
    return params.get("tok_emb").getDataType();
  }

  /** Parameters by name, in a fixed order (the checkpoint order). */
  public Map<String, NDArray> parameters() {
    return params;
  }

  public long parameterCount() {
    return params.values().stream().mapToLong(a -> a.getShape().size()).sum();
  }

  /** Marks every parameter as trainable (or not); gradients then accumulate in backward. */
  public void setTrainable(boolean trainable) {
    params.values().forEach(p -> p.setRequiresGradient(trainable));
  }

  /**
   * Logits for {@code tokens [B, S]} at positions {@code cache.length() ..} (0 without a cache).
   *
   * @param cache null for a whole-sequence forward; otherwise extended with this call's keys/values
   * @return {@code [B, S, V]} logits; row {@code s} predicts the token after {@code tokens[:, s]}
   */
  public NDArray forward(NDArray tokens, KvCache cache) {
    long batch = tokens.getShape().get(0);
    int steps = Math.toIntExact(tokens.getShape().get(1));
    int offset = cache == null ? 0 : cache.length();
    if (offset + steps > config.maxSeqLen()) {
      throw new IllegalArgumentException("sequence of " + (offset + steps) + " tokens exceeds model.max_seq_len "
          + config.maxSeqLen());
    }
    NDArray emb = tokens.getNDArrayInternal()
        .embedding(tokens, params.get("tok_emb"), SparseFormat.DENSE).singletonOrThrow();   // [B, S, D]
    NDArray x = emb.add(params.get("pos_emb").get(new NDIndex("{}:{}", offset, offset + steps))); // [B, S, D]
    NDArray mask = steps > 1 ? causalMask(tokens.getManager(), steps, offset) : null;       // [S, offset+S]
    for (int l = 0; l < config.nLayers(); l++) {
      x = block(l, x, mask, cache, batch, steps);
    }
    if (cache != null) {
      cache.advance(steps);
    }
    NDArray h = layerNorm(x, "ln_f");
    return linear(h, "lm_head.weight", null);                                                 // [B, S, V]
  }

  private NDArray block(int l, NDArray x, NDArray mask, KvCache cache, long batch, int steps) {
    String b = "blocks." + l + ".";
    int d = config.dModel();
    NDArray qkv = linear(layerNorm(x, b + "ln1"), b + "attn.qkv.weight", b + "attn.qkv.bias");  // [B, S, 3D]
    NDList parts = qkv.split(3, 2);
    NDArray q = heads(parts.get(0), batch, steps);                                           // [B, H, S, dh]
    NDArray k = heads(parts.get(1), batch, steps);
    NDArray v = heads(parts.get(2), batch, steps);
    if (cache != null) {
      NDArray[] kv = cache.append(l, k, v);                                                  // [B, H, T, dh]
      k = kv[0];
      v = kv[1];
    }
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(1.0 / Math.sqrt(headDim));      // [B, H, S, T]
    if (mask != null) {
      scores = scores.add(mask);
    }
    NDArray attended = scores.softmax(-1).matMul(v)                                          // [B, H, S, dh]
        .transpose(0, 2, 1, 3).reshape(batch, steps, d);                                     // [B, S, D]
    x = x.add(linear(attended, b + "attn.proj.weight", b + "attn.proj.bias"));
    NDArray hidden = linear(layerNorm(x, b + "ln2"), b + "mlp.fc.weight", b + "mlp.fc.bias")
        .getNDArrayInternal().gelu();                                                        // [B, S, F]
    return x.add(linear(hidden, b + "mlp.proj.weight", b + "mlp.proj.bias"));
  }

  private NDArray heads(NDArray x, long batch, int steps) {
    return x.reshape(batch, steps, config.nHeads(), headDim).transpose(0, 2, 1, 3);
  }

  private NDArray linear(NDArray x, String weight, String bias) {
    return x.getNDArrayInternal()
        .linear(x, params.get(weight), bias == null ? null : params.get(bias)).singletonOrThrow();
  }

  private NDArray layerNorm(NDArray x, String prefix) {
    return x.getNDArrayInternal().layerNorm(x, new Shape(config.dModel()), params.get(prefix + ".weight"),
        params.get(prefix + ".bias"), 1e-5f).singletonOrThrow();
  }

  /** Additive mask: query {@code i} (position offset+i) sees keys {@code j <= offset+i}. Shape [S, offset+S]. */
  private NDArray causalMask(NDManager m, int steps, int offset) {
    int keys = offset + steps;
    float[] mask = new float[steps * keys];
    for (int i = 0; i < steps; i++) {
      for (int j = offset + i + 1; j < keys; j++) {
        mask[i * keys + j] = NEG_INF;
      }
    }
    NDArray f = m.create(mask, new Shape(steps, keys));
    return dataType() == DataType.FLOAT32 ? f : f.toType(dataType(), false);
  }

  /**
   * Log-probability of each next token: {@code out[b, t] = log p(tokens[b, t+1] | tokens[b, ..t])} under
   * logits divided by {@code temperature}. Shape {@code [B, T-1]}.
   */
  public NDArray nextTokenLogProbs(NDArray tokens, double temperature) {
    long t = tokens.getShape().get(1);
    NDArray inputs = tokens.get(new NDIndex(":, :{}", t - 1));                              // [B, T-1]
    NDArray targets = tokens.get(new NDIndex(":, 1:"));                                       // [B, T-1]
    NDArray logits = forward(inputs, null);                                                   // [B, T-1, V]
    if (temperature != 1.0) {
      logits = logits.div(temperature);
    }
    return logits.logSoftmax(-1).gather(targets.expandDims(-1), -1).squeeze(-1);            // [B, T-1]
  }

  /**
   * A copy of every parameter (no gradient history), owned by {@code target}, with parameter names set.
   * Must run with autograd off on the calling thread (see {@code ComputeThread}).
   */
  public NDList copyWeights(NDManager target) {
    NDList out = new NDList(params.size());
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray copy = copyOf(e.getValue(), target.getDevice(), e.getValue().getDataType());
      copy.attach(target);
      copy.setName(e.getKey());
      out.add(copy);
    }
    return out;
  }

  /**
   * Overwrites every parameter with the array of the same name in {@code weights}, without a host round
   * trip; trainability is kept. Names, count and shapes must match exactly.
   */
  public void loadWeights(NDList weights) {
    Map<String, NDArray> byName = new LinkedHashMap<>();
    for (NDArray w : weights) {
      byName.put(w.getName(), w);
    }
    for (String name : byName.keySet()) {
      if (!params.containsKey(name)) {
        throw new IllegalArgumentException("weights contain '" + name + "', which this model does not have");
      }
    }
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray dst = e.getValue();
      NDArray src = byName.get(e.getKey());
      if (src == null) {
        throw new IllegalArgumentException("weights lack '" + e.getKey() + "'");
      }
      if (!src.getShape().equals(dst.getShape())) {
        throw new IllegalArgumentException("weight '" + e.getKey() + "' has shape " + src.getShape()
            + ", the model expects " + dst.getShape());
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
