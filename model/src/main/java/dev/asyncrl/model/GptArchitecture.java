package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.asyncrl.gpu.HostData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The built-in quickstart model (GPT-2 layout): token + learned position embeddings, pre-norm blocks of
 * causal multi-head self-attention and a GELU MLP, a final LayerNorm and an untied LM head.
 */
public final class GptArchitecture implements Architecture {

  private final GptShape config;
  private final int vocabSize;
  private final int headDim;

  public GptArchitecture(GptShape config, int vocabSize) {
    this.config = config;
    this.vocabSize = vocabSize;
    this.headDim = config.dModel() / config.nHeads();
  }

  @Override
  public String describe() {
    return "gpt d" + config.dModel() + " L" + config.nLayers() + " H" + config.nHeads();
  }

  @Override
  public int layers() {
    return config.nLayers();
  }

  @Override
  public int maxSeqLen() {
    return config.maxSeqLen();
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int kvHeads() {
    return config.nHeads();
  }

  @Override
  public int headDim() {
    return headDim;
  }

  @Override
  public List<String> projections() {
    List<String> out = new ArrayList<>();
    for (int l = 0; l < config.nLayers(); l++) {
      for (String p : new String[] {"attn.qkv", "attn.proj", "mlp.fc", "mlp.proj"}) {
        out.add("blocks." + l + "." + p);
      }
    }
    out.add("lm_head");
    return out;
  }

  /** Every parameter's name and shape, in the order {@link #initialize} draws them. */
  @Override
  public Map<String, Shape> parameterShapes() {
    Map<String, Shape> p = new LinkedHashMap<>();
    GptShape c = config;
    long d = c.dModel();
    p.put("tok_emb", new Shape(vocabSize, d));
    p.put("pos_emb", new Shape(c.maxSeqLen(), d));
    for (int l = 0; l < c.nLayers(); l++) {
      String b = "blocks." + l + ".";
      p.put(b + "ln1.weight", new Shape(d));
      p.put(b + "ln1.bias", new Shape(d));
      p.put(b + "attn.qkv.weight", new Shape(3 * d, d));
      p.put(b + "attn.qkv.bias", new Shape(3 * d));
      p.put(b + "attn.proj.weight", new Shape(d, d));
      p.put(b + "attn.proj.bias", new Shape(d));
      p.put(b + "ln2.weight", new Shape(d));
      p.put(b + "ln2.bias", new Shape(d));
      p.put(b + "mlp.fc.weight", new Shape(c.dFf(), d));
      p.put(b + "mlp.fc.bias", new Shape(c.dFf()));
      p.put(b + "mlp.proj.weight", new Shape(d, c.dFf()));
      p.put(b + "mlp.proj.bias", new Shape(d));
    }
    p.put("ln_f.weight", new Shape(d));
    p.put("ln_f.bias", new Shape(d));
    p.put("lm_head.weight", new Shape(vocabSize, d));
    return p;
  }

  /** How fresh weights are drawn ({@link #initialize}). */
  public enum Init {
    /**
     * GPT-2's: N(0, 0.02) for matrices and embeddings, N(0, 0.02/√(2L)) for the projections that write into the
     * residual stream, zero biases, unit LayerNorm gains.
     */
    GPT2,
    /**
     * The defaults of PyTorch's modules for the same layers (Embedding, MultiheadAttention, Linear): N(0, 1) token
     * embeddings, Xavier-uniform q/k/v, U(±1/√fan_in) for the other matrices and the MLP biases, zero attention
     * biases, unit LayerNorm gains; positions N(0, 0.02).
     */
    PYTORCH
  }

  /**
   * Fresh weights, deterministic in {@code seed}: norm gains 1 and norm biases 0, every other array as {@code init}
   * draws it, in {@link #parameterShapes}' order.
   */
  Map<String, NDArray> initialize(NDManager m, long seed, DataType dtype, Init init) {
    SplittableRandom rng = new SplittableRandom(seed);
    Map<String, NDArray> p = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : parameterShapes().entrySet()) {
      String name = e.getKey();
      Shape shape = e.getValue();
      if (name.startsWith("ln") || name.contains(".ln")) {
        p.put(name, name.endsWith(".bias") ? m.zeros(shape, dtype) : m.ones(shape, dtype));
      } else {
        p.put(name, init == Init.GPT2 ? gpt2Default(m, rng, name, shape, dtype)
            : pytorchDefault(m, rng, name, shape, dtype));
      }
    }
    return p;
  }

  private NDArray gpt2Default(NDManager m, SplittableRandom rng, String name, Shape shape, DataType dtype) {
    if (name.endsWith(".bias")) {
      return m.zeros(shape, dtype);
    }
    boolean residual = name.endsWith("attn.proj.weight") || name.endsWith("mlp.proj.weight");
    return RandomInit.normal(m, rng, residual ? 0.02 / Math.sqrt(2.0 * config.nLayers()) : 0.02, dtype, shape);
  }

  private NDArray pytorchDefault(NDManager m, SplittableRandom rng, String name, Shape shape, DataType dtype) {
    long d = config.dModel();
    if (name.equals("tok_emb")) {
      return RandomInit.normal(m, rng, 1.0, dtype, shape);
    } else if (name.equals("pos_emb")) {
      return RandomInit.normal(m, rng, 0.02, dtype, shape);
    } else if (name.endsWith("attn.qkv.weight")) {
      return RandomInit.uniform(m, rng, Math.sqrt(6.0 / (d + 3 * d)), dtype, shape);
    } else if (name.endsWith("attn.qkv.bias") || name.endsWith("attn.proj.bias")) {
      return m.zeros(shape, dtype);
    }
    long fanIn = name.contains(".mlp.proj.") ? config.dFf() : d; // every other matrix reads the residual stream
    return RandomInit.uniform(m, rng, 1 / Math.sqrt(fanIn), dtype, shape);
  }

  @Override
  public NDArray forward(Weights params, NDArray tokens, KvCache cache, int[] leftPad, LogitRows rows) {
    int batch = Math.toIntExact(tokens.getShape().get(0));
    int steps = Math.toIntExact(tokens.getShape().get(1));
    int offset = cache == null ? 0 : cache.length();
    int[] starts = cache != null ? cache.rowStarts() : leftPad;
    int longest = AttentionMask.longestRow(steps, offset, cache != null ? starts : null);
    if (longest > config.maxSeqLen()) {
      throw new IllegalArgumentException("sequence of " + longest + " tokens exceeds model.max_seq_len "
          + config.maxSeqLen());
    }
    NDManager m = tokens.getManager();
    NDArray posEmb = params.get("pos_emb");
    NDArray emb = embed(tokens, params.get("tok_emb"));                                     // [B, S, D]
    NDArray x = starts == null
        ? emb.add(posEmb.get(new NDIndex("{}:{}", offset, offset + steps)))
        : emb.add(embed(AttentionMask.positions(m, batch, steps, offset, starts), posEmb)); // [B, S, D]
    NDArray mask = AttentionMask.additive(m, posEmb.getDataType(), batch, steps, offset, starts,
        cache == null ? 0 : cache.windowStart());
    for (int l = 0; l < config.nLayers(); l++) {
      x = block(params, l, x, mask, cache, batch, steps);
    }
    if (cache != null) {
      cache.advance(steps);
    }
    NDArray h = layerNorm(params, rows.select(x), "ln_f");
    return params.linear(h, "lm_head");                                       // [B, S - from, V] or [N, V]
  }

  static NDArray embed(NDArray ids, NDArray table) {
    return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
  }

  private NDArray block(Weights p, int l, NDArray x, NDArray mask, KvCache cache, long batch, int steps) {
    String b = "blocks." + l + ".";
    int d = config.dModel();
    NDArray qkv = p.linear(layerNorm(p, x, b + "ln1"), b + "attn.qkv"); // [B, S, 3D]
    NDList parts = qkv.split(3, 2);
    NDArray q = heads(parts.get(0), batch, steps);                                           // [B, H, S, dh]
    NDArray k = heads(parts.get(1), batch, steps);
    NDArray v = heads(parts.get(2), batch, steps);
    if (cache != null) {
      NDArray[] kv = cache.append(l, k, v);                                                  // [B, H, T, dh]
      k = kv[0];
      v = kv[1];
    }
    NDArray scores = HostData.times(q.matMul(k.transpose(0, 1, 3, 2)), 1.0 / Math.sqrt(headDim)); // [B, H, S, T]
    if (mask != null) {
      scores = scores.add(mask);
    }
    NDArray attended = scores.softmax(-1).matMul(v)                                          // [B, H, S, dh]
        .transpose(0, 2, 1, 3).reshape(batch, steps, d);                                     // [B, S, D]
    x = x.add(p.linear(attended, b + "attn.proj"));
    NDArray hidden = p.linear(layerNorm(p, x, b + "ln2"), b + "mlp.fc")
        .getNDArrayInternal().gelu();                                                        // [B, S, F]
    return x.add(p.linear(hidden, b + "mlp.proj"));
  }

  private NDArray heads(NDArray x, long batch, int steps) {
    return x.reshape(batch, steps, config.nHeads(), headDim).transpose(0, 2, 1, 3);
  }

  private NDArray layerNorm(Weights p, NDArray x, String prefix) {
    return x.getNDArrayInternal().layerNorm(x, new Shape(config.dModel()), p.get(prefix + ".weight"),
        p.get(prefix + ".bias"), 1e-5f).singletonOrThrow();
  }
}
