package dev.asyncrl.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import dev.asyncrl.gpu.HostData;
import dev.asyncrl.model.Architecture;
import dev.asyncrl.model.AttentionMask;
import dev.asyncrl.model.KvCache;
import dev.asyncrl.model.LogitRows;
import dev.asyncrl.model.RandomInit;
import dev.asyncrl.model.Weights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Llama family as Hugging Face transformers defines it (Llama 2/3, Qwen2/2.5, Mistral): RMSNorm,
 * rotary position embeddings (rotate-half layout, with the {@link RopeScaling} variants), grouped-query
 * attention (each key/value head serves {@code heads/kvHeads} query heads; the cache holds only the
 * key/value heads), a SwiGLU MLP, optional q/k/v biases (Qwen2) and optionally tied embeddings.
 * Parameter names are the Hugging Face ones, so checkpoints load and save without renaming.
 */
public final class LlamaArchitecture implements Architecture {

  private final HfConfig c;
  /** Rotary inverse frequencies in float32, as transformers keeps them. */
  private final float[] inverseFrequencies;
  private final int maxSeqLen;

  /** @param maxSeqLen the longest sequence this run uses (at most {@code max_position_embeddings}) */
  public LlamaArchitecture(HfConfig config, int maxSeqLen) {
    this.c = config;
    double[] inv = config.ropeScaling().inverseFrequencies(config.headDim(), config.ropeTheta());
    this.inverseFrequencies = new float[inv.length];
    for (int i = 0; i < inv.length; i++) {
      inverseFrequencies[i] = (float) inv[i];
    }
    this.maxSeqLen = maxSeqLen;
  }

  public HfConfig config() {
    return c;
  }

  @Override
  public String describe() {
    return (c.modelType().isEmpty() ? c.architecture() : c.modelType()) + " d" + c.hiddenSize() + " L" + c.layers()
        + " H" + c.heads() + "/" + c.kvHeads() + " V" + c.vocabSize();
  }

  @Override
  public int layers() {
    return c.layers();
  }

  @Override
  public int maxSeqLen() {
    return maxSeqLen;
  }

  @Override
  public int vocabSize() {
    return c.vocabSize();
  }

  @Override
  public int kvHeads() {
    return c.kvHeads();
  }

  @Override
  public int headDim() {
    return c.headDim();
  }

  @Override
  public List<String> projections() {
    List<String> out = new ArrayList<>();
    for (String name : parameterShapes().keySet()) {
      if (name.endsWith("_proj.weight") || name.equals("lm_head.weight")) {
        out.add(name.substring(0, name.length() - ".weight".length()));
      }
    }
    return out;
  }

  /**
   * Per layer q/k/v and gate/up as groups, o and down alone, and the output projection: {@code lm_head}, or
   * the input embedding when tied (the embedding lookup reads the same values through the transposed view).
   */
  @Override
  public List<List<String>> decodingGroups() {
    List<List<String>> groups = new ArrayList<>();
    for (int l = 0; l < c.layers(); l++) {
      String b = "model.layers." + l + ".";
      groups.add(List.of(b + "self_attn.q_proj", b + "self_attn.k_proj", b + "self_attn.v_proj"));
      groups.add(List.of(b + "self_attn.o_proj"));
      groups.add(List.of(b + "mlp.gate_proj", b + "mlp.up_proj"));
      groups.add(List.of(b + "mlp.down_proj"));
    }
    groups.add(List.of(c.tieWordEmbeddings() ? "model.embed_tokens" : "lm_head"));
    return groups;
  }

  /** Every parameter's name and shape, in checkpoint order; {@code lm_head.weight} only when not tied. */
  @Override
  public Map<String, Shape> parameterShapes() {
    Map<String, Shape> p = new LinkedHashMap<>();
    long d = c.hiddenSize();
    long q = (long) c.heads() * c.headDim();
    long kv = (long) c.kvHeads() * c.headDim();
    boolean oBias = c.qkvBias() && !c.architecture().equals("Qwen2ForCausalLM"); // Llama: attention_bias covers o_proj
    p.put("model.embed_tokens.weight", new Shape(c.vocabSize(), d));
    for (int l = 0; l < c.layers(); l++) {
      String b = "model.layers." + l + ".";
      p.put(b + "input_layernorm.weight", new Shape(d));
      p.put(b + "self_attn.q_proj.weight", new Shape(q, d));
      p.put(b + "self_attn.k_proj.weight", new Shape(kv, d));
      p.put(b + "self_attn.v_proj.weight", new Shape(kv, d));
      if (c.qkvBias()) {
        p.put(b + "self_attn.q_proj.bias", new Shape(q));
        p.put(b + "self_attn.k_proj.bias", new Shape(kv));
        p.put(b + "self_attn.v_proj.bias", new Shape(kv));
      }
      p.put(b + "self_attn.o_proj.weight", new Shape(d, q));
      if (oBias) {
        p.put(b + "self_attn.o_proj.bias", new Shape(d));
      }
      p.put(b + "post_attention_layernorm.weight", new Shape(d));
      p.put(b + "mlp.gate_proj.weight", new Shape(c.intermediateSize(), d));
      p.put(b + "mlp.up_proj.weight", new Shape(c.intermediateSize(), d));
      p.put(b + "mlp.down_proj.weight", new Shape(d, c.intermediateSize()));
      if (c.mlpBias()) {
        p.put(b + "mlp.gate_proj.bias", new Shape(c.intermediateSize()));
        p.put(b + "mlp.up_proj.bias", new Shape(c.intermediateSize()));
        p.put(b + "mlp.down_proj.bias", new Shape(d));
      }
    }
    p.put("model.norm.weight", new Shape(d));
    if (!c.tieWordEmbeddings()) {
      p.put("lm_head.weight", new Shape(c.vocabSize(), d));
    }
    return p;
  }

  /**
   * Fresh weights for this config, deterministic in {@code seed}: N(0, 0.02) matrices and embeddings, unit
   * norm gains, zero biases (for tests and from-scratch experiments; real runs load a checkpoint).
   */
  public Map<String, NDArray> initialize(NDManager m, long seed, DataType dtype) {
    SplittableRandom rng = new SplittableRandom(seed);
    Map<String, NDArray> p = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : parameterShapes().entrySet()) {
      String name = e.getKey();
      NDArray value;
      if (name.endsWith("norm.weight")) {
        value = m.ones(e.getValue(), dtype);
      } else if (name.endsWith(".bias")) {
        value = m.zeros(e.getValue(), dtype);
      } else {
        value = RandomInit.normal(m, rng, 0.02, dtype, e.getValue());
      }
      p.put(name, value);
    }
    return p;
  }

  @Override
  public NDArray forward(Weights p, NDArray tokens, KvCache cache, int[] leftPad, LogitRows rows) {
    int batch = Math.toIntExact(tokens.getShape().get(0));
    int steps = Math.toIntExact(tokens.getShape().get(1));
    int offset = cache == null ? 0 : cache.length();
    int[] starts = cache != null ? cache.rowStarts() : leftPad;
    int longest = AttentionMask.longestRow(steps, offset, cache != null ? starts : null);
    if (longest > maxSeqLen) {
      throw new IllegalArgumentException("sequence of " + longest + " tokens exceeds the model's limit of " + maxSeqLen);
    }
    NDManager m = tokens.getManager();
    NDArray embedding = p.get("model.embed_tokens.weight");
    DataType dtype = embedding.getDataType();
    NDArray x = tokens.getNDArrayInternal().embedding(tokens, embedding, SparseFormat.DENSE).singletonOrThrow(); // [B,S,D]
    NDArray[] rotary = rotary(m, batch, steps, offset, starts, dtype);                     // [B, 1, S, dh] each
    NDArray mask = AttentionMask.additive(m, dtype, batch, steps, offset, starts,
        cache == null ? 0 : cache.windowStart());
    for (int l = 0; l < c.layers(); l++) {
      x = layer(p, l, x, rotary, mask, cache, batch, steps);
    }
    if (cache != null) {
      cache.advance(steps);
    }
    NDArray h = rmsNorm(rows.select(x), p.get("model.norm.weight"));
    return c.tieWordEmbeddings()
        ? h.getNDArrayInternal().linear(h, embedding, null).singletonOrThrow()             // [B, S - from, V] or [N, V]
        : p.linear(h, "lm_head");
  }

  private NDArray layer(Weights p, int l, NDArray x, NDArray[] rotary, NDArray mask, KvCache cache,
      int batch, int steps) {
    String b = "model.layers." + l + ".";
    int dh = c.headDim();
    int groups = c.heads() / c.kvHeads();
    NDArray h = rmsNorm(x, p.get(b + "input_layernorm.weight"));
    NDArray[] qkv = p.project(h, b + "self_attn.q_proj", b + "self_attn.k_proj", b + "self_attn.v_proj");
    NDArray q = heads(qkv[0], batch, steps, c.heads());                                     // [B, H, S, dh]
    NDArray k = heads(qkv[1], batch, steps, c.kvHeads());                                   // [B, KV, S, dh]
    NDArray v = heads(qkv[2], batch, steps, c.kvHeads());
    q = rotate(q, rotary);
    k = rotate(k, rotary);
    if (cache != null) {
      NDArray[] kv = cache.append(l, k, v);                                                  // [B, KV, T, dh]
      k = kv[0];
      v = kv[1];
    }
    long keys = k.getShape().get(2);
    // Query head h reads key/value head h / groups: stack each key/value head's query heads as rows, so the
    // shared keys and values are read once, never copied per query head.
    NDArray qg = q.reshape(batch, c.kvHeads(), (long) groups * steps, dh);                   // [B, KV, G·S, dh]
    NDArray scores = HostData.times(qg.matMul(k.transpose(0, 1, 3, 2)), 1.0 / Math.sqrt(dh))  // [B, KV, G·S, T]
        .reshape(batch, c.kvHeads(), groups, steps, keys);                                   // [B, KV, G, S, T]
    if (mask != null) {
      scores = scores.add(mask.getShape().dimension() == 4 ? mask.expandDims(2) : mask);     // [B,1,1,S,T] or [S,T]
    }
    NDArray probs = scores.softmax(-1).reshape(batch, c.kvHeads(), (long) groups * steps, keys);
    NDArray attended = probs.matMul(v)                                                      // [B, KV, G·S, dh]
        .reshape(batch, c.heads(), steps, dh).transpose(0, 2, 1, 3)
        .reshape(batch, steps, (long) c.heads() * dh);                                      // [B, S, H·dh]
    x = x.add(p.linear(attended, b + "self_attn.o_proj"));
    NDArray h2 = rmsNorm(x, p.get(b + "post_attention_layernorm.weight"));
    NDArray[] gateUp = p.project(h2, b + "mlp.gate_proj", b + "mlp.up_proj");
    NDArray act = gateUp[0].mul(Activation.sigmoid(gateUp[0])).mul(gateUp[1]);             // SiLU(gate) · up
    return x.add(p.linear(act, b + "mlp.down_proj"));
  }

  private static NDArray heads(NDArray x, int batch, int steps, int n) {
    return x.reshape(batch, steps, n, -1).transpose(0, 2, 1, 3);
  }

  /** {@code x / sqrt(mean(x²) + ε) · w}, as Hugging Face computes it (in float32 for half inputs). */
  private NDArray rmsNorm(NDArray x, NDArray weight) {
    DataType in = x.getDataType();
    NDArray xf = in == DataType.FLOAT16 ? x.toType(DataType.FLOAT32, false) : x;
    NDArray normed = xf.div(xf.square().mean(new int[] {-1}, true).add(c.rmsNormEps()).sqrt());
    return weight.mul(in == DataType.FLOAT16 ? normed.toType(in, false) : normed);
  }

  /**
   * cos and sin of every rotary angle, {@code [B, 1, S, dh]}: position × inverse frequency in float32 (as
   * transformers does), the half-size table repeated twice (rotate-half layout).
   */
  private NDArray[] rotary(NDManager m, int batch, int steps, int offset, int[] leftPad, DataType dtype) {
    float[] inv = inverseFrequencies;
    NDArray pos = AttentionMask.positions(m, batch, steps, offset, leftPad).toType(DataType.FLOAT32, false)
        .expandDims(-1);                                                                    // [B, S, 1]
    NDArray freqs = pos.mul(HostData.own(m.create(inv, new Shape(1, 1, inv.length))));      // [B, S, dh/2]
    NDArray angles = freqs.concat(freqs, -1).expandDims(1);                                 // [B, 1, S, dh]
    double scale = c.ropeScaling().cosSinScale();
    NDArray cos = angles.cos();
    NDArray sin = angles.sin();
    if (scale != 1) {
      cos = cos.mul(scale);
      sin = sin.mul(scale);
    }
    return new NDArray[] {cos.toType(dtype, false), sin.toType(dtype, false)};
  }

  /** {@code x·cos + rotate_half(x)·sin}, {@code rotate_half(x) = [−x₂, x₁]}. */
  private static NDArray rotate(NDArray x, NDArray[] rotary) {
    long half = x.getShape().get(3) / 2;
    var parts = x.split(new long[] {half}, 3);
    NDArray rotated = parts.get(1).neg().concat(parts.get(0), 3);
    return x.mul(rotary[0]).add(rotated.mul(rotary[1]));
  }
}
