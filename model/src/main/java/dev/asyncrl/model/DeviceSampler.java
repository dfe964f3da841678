package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Draws one token per row from logits with tensor operations on the logits' device; only the ids, their
 * log-probs and one accept flag per row reach the host. The behaviour log-prob of a token is under the
 * tempered, untruncated distribution {@code log softmax(z / T)}, as the trainer recomputes it.
 *
 * <p>Each row draws by inverting its cumulative distribution at a uniform from its own stream, so a row's
 * token depends only on its logits and its stream, never on the other rows. Top-k and top-p keep the tokens
 * with fewer than k strictly more likely tokens and less than top-p mass strictly above them; they are applied
 * by rejection: a drawn token outside the kept set is drawn again from the row's next uniform. Accepted draws
 * follow exactly the renormalised kept distribution, at the cost of one pass over the vocabulary per round
 * instead of a sort (a row is redrawn with probability 1 − kept mass, at most 5% with top-p 0.95). Rows still
 * rejected after {@link #ROUNDS} rounds (a tiny kept mass) fall back to an explicit threshold from a sort.
 */
public final class DeviceSampler {
  private DeviceSampler() {}

  static final int ROUNDS = 8;

  /** A row's random stream: uniforms in (0, 1]. */
  @FunctionalInterface
  public interface Uniforms {
    float next(int row);
  }

  /** The drawn tokens and their behaviour log-probs, one per row. */
  public record Draw(long[] tokens, float[] logProbs) {}

  /** @param logits {@code [B, V]} */
  public static Draw sample(NDArray logits, SamplingParams params, Uniforms uniforms) {
    int rows = Math.toIntExact(logits.getShape().get(0));
    int vocab = Math.toIntExact(logits.getShape().get(1));
    NDArray z = logits.getDataType() == DataType.FLOAT32 ? logits : logits.toType(DataType.FLOAT32, false);
    NDArray logp = (params.temperature() == 1.0 ? z : z.div(params.temperature())).logSoftmax(-1);   // [B, V]
    NDArray p = logp.exp();
    NDArray cdf = p.cumSum(-1);
    NDArray total = cdf.get(":, -1:");                                                               // [B, 1]
    boolean topK = params.topK() > 0 && params.topK() < vocab;
    boolean truncated = topK || params.topP() < 1.0;
    long[] tokens = new long[rows];
    int[] active = new int[rows]; // the rows still drawing; later rounds work on just these rows
    for (int r = 0; r < rows; r++) {
      active[r] = r;
    }
    NDArray pActive = p;
    NDArray cdfActive = cdf;
    NDArray totalActive = total;
    for (int round = 0; round < (truncated ? ROUNDS : 1) && active.length > 0; round++) {
      float[] u = new float[active.length];
      for (int i = 0; i < active.length; i++) {
        u[i] = uniforms.next(active[i]);
      }
      NDArray index = invert(cdfActive, totalActive, u, vocab);                                        // [n, 1]
      long[] drawn = index.toLongArray();
      boolean[] accepted = truncated ? kept(pActive, index, totalActive, params, topK) : null;
      int left = 0;
      for (int i = 0; i < active.length; i++) {
        tokens[active[i]] = drawn[i];
        left += truncated && !accepted[i] ? 1 : 0;
      }
      if (left == 0) {
        active = new int[0];
        break;
      }
      long[] keep = new long[left];
      int[] next = new int[left];
      for (int i = 0, j = 0; i < active.length; i++) {
        if (!accepted[i]) {
          keep[j] = i;
          next[j++] = active[i];
        }
      }
      NDArray select = logits.getManager().create(keep);
      pActive = pActive.get(select);
      cdfActive = cdfActive.get(select);
      totalActive = totalActive.get(select);
      active = next;
    }
    if (active.length > 0) {
      boolean[] pending = new boolean[rows];
      for (int r : active) {
        pending[r] = true;
      }
      fallback(logp, params, uniforms, pending, tokens);
    }
    NDArray chosen = logp.gather(logits.getManager().create(tokens, new Shape(rows, 1)), -1);        // [B, 1]
    return new Draw(tokens, chosen.toFloatArray());
  }

  /**
   * Inverse-CDF draw, {@code [n, 1]}: per row, the first token whose cumulative mass reaches {@code u × total}
   * (a token without mass never does).
   */
  private static NDArray invert(NDArray cdf, NDArray total, float[] u, int vocab) {
    NDArray target = total.mul(cdf.getManager().create(u, new Shape(u.length, 1)));
    return cdf.lt(target).toType(DataType.INT64, false).sum(new int[] {-1}, true).minimum(vocab - 1);
  }

  /** Whether each row's drawn token is inside its top-k / top-p set. */
  private static boolean[] kept(NDArray p, NDArray index, NDArray total, SamplingParams params, boolean topK) {
    NDArray pt = p.gather(index, -1);                                                                // [B, 1]
    NDArray higher = p.gt(pt).toType(DataType.FLOAT32, false);                                       // [B, V]
    NDArray ok = null;
    if (topK) {
      ok = higher.sum(new int[] {-1}).lt(params.topK());
    }
    if (params.topP() < 1.0) {
      NDArray massAbove = p.mul(higher).sum(new int[] {-1}).div(total.squeeze(-1));
      NDArray inNucleus = massAbove.lt(params.topP());
      ok = ok == null ? inNucleus : ok.logicalAnd(inNucleus);
    }
    return ok.toBooleanArray();
  }

  /** Rows the rejection rounds did not settle: draw from an explicit kept set found by sorting. */
  private static void fallback(NDArray logp, SamplingParams params, Uniforms uniforms, boolean[] pending, long[] tokens) {
    int rows = pending.length;
    int vocab = Math.toIntExact(logp.getShape().get(1));
    NDArray threshold = threshold(logp, vocab, params);
    NDArray kept = logp.gte(threshold).toType(DataType.FLOAT32, false).log().add(logp);             // -inf outside
    NDArray cdf = kept.sub(kept.max(new int[] {-1}, true)).exp().cumSum(-1);
    float[] u = new float[rows];
    for (int r = 0; r < rows; r++) {
      u[r] = pending[r] ? uniforms.next(r) : 1f;
    }
    long[] drawn = invert(cdf, cdf.get(":, -1:"), u, vocab).toLongArray();
    for (int r = 0; r < rows; r++) {
      if (pending[r]) {
        tokens[r] = drawn[r];
      }
    }
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
