package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Draws one token per row from logits with tensor operations on the logits' device; only the ids and their
 * log-probs reach the host. The behaviour log-prob of a token is under the tempered, untruncated
 * distribution {@code log softmax(z / T)}, as the trainer recomputes it. Top-k and top-p keep the tokens whose
 * probability reaches a per-row threshold: the k-th largest, and the smallest rank whose preceding mass is
 * below top-p. Each row draws by inverting its cumulative distribution at its own uniform {@code u ∈ (0, 1]},
 * so a row's token depends only on its logits and its own random stream, never on the other rows.
 */
public final class DeviceSampler {
  private DeviceSampler() {}

  /** The drawn tokens and their behaviour log-probs, one per row. */
  public record Draw(long[] tokens, float[] logProbs) {}

  /**
   * @param logits   {@code [B, V]}
   * @param uniforms one per row, in (0, 1]
   */
  public static Draw sample(NDArray logits, SamplingParams params, float[] uniforms) {
    int vocab = Math.toIntExact(logits.getShape().get(1));
    NDArray z = logits.getDataType() == DataType.FLOAT32 ? logits : logits.toType(DataType.FLOAT32, false);
    NDArray logp = (params.temperature() == 1.0 ? z : z.div(params.temperature())).logSoftmax(-1);   // [B, V]
    NDArray kept = logp;
    boolean topK = params.topK() > 0 && params.topK() < vocab;
    if (topK || params.topP() < 1.0) {
      kept = logp.gte(threshold(logp, vocab, params)).toType(DataType.FLOAT32, false).log().add(logp); // -inf outside
    }
    NDArray probs = kept.sub(kept.max(new int[] {-1}, true)).exp();                                 // [B, V]
    NDArray cdf = probs.cumSum(-1);
    NDArray u = logits.getManager().create(uniforms, new Shape(uniforms.length, 1));
    NDArray target = cdf.get(":, -1:").mul(u);                                                      // [B, 1]
    NDArray index = cdf.lt(target).toType(DataType.INT64, false).sum(new int[] {-1}, true)           // [B, 1]
        .minimum(vocab - 1);
    NDArray chosen = logp.gather(index, -1);                                                         // [B, 1]
    return new Draw(index.toLongArray(), chosen.toFloatArray());
  }

  /** The per-row probability floor of top-k / top-p, {@code [B, 1]} in log space. */
  private static NDArray threshold(NDArray logp, int vocab, SamplingParams params) {
    int candidates = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
    NDArray sorted = candidates < vocab
        ? logp.topK(candidates, -1, true, true).get(0)                                             // [B, k] descending
        : logp.neg().sort(-1).neg();                                                                 // [B, V] descending
    if (params.topP() >= 1.0) {
      return sorted.get(":, -1:");
    }
    NDArray p = sorted.exp();
    NDArray before = p.cumSum(-1).sub(p);                                                            // mass of the higher ranks
    NDArray keep = before.lt(params.topP()).toType(DataType.INT64, false).sum(new int[] {-1}, true); // ≥ 1
    return sorted.gather(keep.sub(1), -1);
  }
}
