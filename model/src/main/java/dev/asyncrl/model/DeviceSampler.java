package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.gpu.HostData;

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
  /** Tokens per block of the two-level inverse CDF ({@link Cdf}). */
  static final int BLOCK = 128;

  /** A row's random stream: uniforms in (0, 1]. */
  @FunctionalInterface
  public interface Uniforms {
    float next(int row);
  }

  /** The drawn tokens and their behaviour log-probs, one per row. */
  public record Draw(long[] tokens, float[] logProbs) {}

  /** @param logits {@code [B, V]} */
  public static Draw sample(NDArray logits, SamplingParams params, Uniforms uniforms) {
    return sample(logits, params, uniforms, BLOCK);
  }

  /** As above, inverting each row's distribution in blocks of {@code block} tokens (tests use small blocks). */
  static Draw sample(NDArray logits, SamplingParams params, Uniforms uniforms, int block) {
    int rows = Math.toIntExact(logits.getShape().get(0));
    int vocab = Math.toIntExact(logits.getShape().get(1));
    NDArray z = logits.getDataType() == DataType.FLOAT32 ? logits : logits.toType(DataType.FLOAT32, false);
    if (params.temperature() != 1.0) {
      z = z.div(params.temperature());
    }
    NDArray max = z.max(new int[] {-1}, true);                                                       // [B, 1]
    NDArray p = z.sub(max).exp();                                                                    // [B, V] ∝ probabilities
    boolean topK = params.topK() > 0 && params.topK() < vocab;
    boolean truncated = topK || params.topP() < 1.0;
    long[] tokens = new long[rows];
    int[] active = new int[rows]; // the rows still drawing; later rounds work on just these rows
    for (int r = 0; r < rows; r++) {
      active[r] = r;
    }
    Cdf cdf = new Cdf(p, block);
    Cdf cdfActive = cdf;
    NDArray pActive = p;
    for (int round = 0; round < (truncated ? ROUNDS : 1) && active.length > 0; round++) {
      float[] u = new float[active.length];
      for (int i = 0; i < active.length; i++) {
        u[i] = uniforms.next(active[i]);
      }
      NDArray index = cdfActive.invert(u);                                                          // [n, 1]
      long[] drawn = index.toLongArray();
      boolean[] accepted = truncated ? kept(pActive, index, cdfActive.total, params, topK) : null;
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
      NDArray select = HostData.own(logits.getManager().create(keep));
      pActive = pActive.get(select);
      cdfActive = cdfActive.rows(select);
      active = next;
    }
    // log p(token) = z − max − log Σ exp(z − max), log_softmax's own formula, for the drawn tokens only.
    NDArray logTotal = cdf.total.log().add(max);                                                     // [B, 1]
    if (active.length > 0) {
      boolean[] pending = new boolean[rows];
      for (int r : active) {
        pending[r] = true;
      }
      fallback(z.sub(logTotal), params, uniforms, pending, tokens, block);
    }
    NDArray picked = HostData.own(logits.getManager().create(tokens, new Shape(rows, 1)));
    NDArray chosen = z.gather(picked, -1).sub(logTotal);                                         // [B, 1]
    return new Draw(tokens, chosen.toFloatArray());
  }

  /**
   * Each row's cumulative distribution in two levels: running sums inside blocks of {@code block} tokens
   * (many short scans) and the running sum of the block totals. A draw finds its block, then its token inside
   * the block, so no scan runs the length of the vocabulary.
   */
  private static final class Cdf {
    final NDArray within;  // [n, blocks, block]: running sum inside each block
    final NDArray through; // [n, blocks]: running sum of the block totals
    final NDArray total;   // [n, 1]
    final int vocab;

    Cdf(NDArray p, int block) {
      int rows = Math.toIntExact(p.getShape().get(0));
      this.vocab = Math.toIntExact(p.getShape().get(1));
      int blocks = (vocab + block - 1) / block;
      NDArray padded = blocks * block == vocab ? p
          : p.concat(p.getManager().zeros(new Shape(rows, (long) blocks * block - vocab), p.getDataType()), 1);
      this.within = padded.reshape(rows, blocks, block).cumSum(2);
      this.through = within.get(":, :, -1").cumSum(1);
      this.total = through.get(":, -1:");
    }

    private Cdf(NDArray within, NDArray through, NDArray total, int vocab) {
      this.within = within;
      this.through = through;
      this.total = total;
      this.vocab = vocab;
    }

    Cdf rows(NDArray select) {
      return new Cdf(within.get(select), through.get(select), total.get(select), vocab);
    }

    /**
     * Inverse-CDF draw, {@code [n, 1]}: per row, the first token whose cumulative mass reaches {@code u × total}
     * (a token without mass never does). The block is the first whose running total reaches it; inside, when
     * float rounding leaves every running sum just short, the block's last token with mass is taken.
     */
    NDArray invert(float[] u) {
      int rows = u.length;
      long blocks = through.getShape().get(1);
      long block = within.getShape().get(2);
      NDArray target = total.mul(HostData.own(through.getManager().create(u, new Shape(rows, 1)))); // [n, 1]
      NDArray b = through.lt(target).toType(DataType.INT64, false).sum(new int[] {-1}, true)
          .minimum(blocks - 1);                                                                    // [n, 1]
      NDArray zero = target.zerosLike();                                                           // [n, 1]
      NDArray before = zero.concat(through.get(":, :-1"), 1).gather(b, 1);                         // earlier blocks' mass
      NDArray inside = within.gather(b.expandDims(-1).repeat(2, block), 1).squeeze(1);             // [n, block]
      NDArray t = inside.add(before).lt(target).toType(DataType.INT64, false).sum(new int[] {-1}, true);
      // The block's last token with mass (where its running sum last grows), in case rounding leaves t past it.
      NDArray grows = inside.gt(zero.concat(inside.get(":, :-1"), 1)).toType(DataType.INT64, false);
      NDArray lastWithMass = grows.mul(inside.getManager().arange(0, (int) block, 1, DataType.INT64))
          .max(new int[] {-1}, true);
      return b.mul(block).add(t.minimum(lastWithMass)).minimum(vocab - 1);
    }
  }

  /** Whether each row's drawn token is inside its top-k / top-p set. */
  private static boolean[] kept(NDArray p, NDArray index, NDArray total, SamplingParams params, boolean topK) {
    NDArray pt = p.gather(index, -1);                                                                // [B, 1]
    NDArray higher = p.gt(pt);                                                                       // [B, V] boolean
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
  private static void fallback(NDArray logp, SamplingParams params, Uniforms uniforms, boolean[] pending, long[] tokens,
      int block) {
    int rows = pending.length;
    int vocab = Math.toIntExact(logp.getShape().get(1));
    NDArray threshold = threshold(logp, vocab, params);
    NDArray kept = logp.gte(threshold).toType(DataType.FLOAT32, false).log().add(logp);             // -inf outside
    Cdf cdf = new Cdf(kept.sub(kept.max(new int[] {-1}, true)).exp(), block);
    float[] u = new float[rows];
    for (int r = 0; r < rows; r++) {
      u[r] = pending[r] ? uniforms.next(r) : 1f;
    }
    long[] drawn = cdf.invert(u).toLongArray();
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
