package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Batched autoregressive sampling with a {@link KvCache}: one forward over the prompts, then one forward
 * per new token over just that token. Prompts of different lengths are left-padded (padding is never
 * attended to, and positions count from each row's first token), so a row's tokens and log-probs are the
 * same as if it were sampled alone. Each row stops at its own stop token; memory is bounded by the longest
 * prompt plus {@code max_new_tokens}. Every native array is freed when {@link #generate} returns.
 */
public final class Sampler {
  private Sampler() {}

  /**
   * @param prompts one per row, any lengths
   * @param rng     draws the samples; the same seed, weights and prompts give the same responses
   */
  public static Generation generate(TransformerPolicy policy, int[][] prompts, SamplingParams params,
      SplittableRandom rng) {
    int batch = prompts.length;
    int promptLen = 0;
    for (int[] p : prompts) {
      if (p.length == 0) {
        throw new IllegalArgumentException("an empty prompt cannot be sampled from");
      }
      promptLen = Math.max(promptLen, p.length);
    }
    int[] leftPad = new int[batch];
    boolean ragged = false;
    for (int b = 0; b < batch; b++) {
      leftPad[b] = promptLen - prompts[b].length;
      ragged |= leftPad[b] > 0;
    }
    int[] pad = ragged ? leftPad : null;
    int vocab = policy.vocabSize();
    int[][] tokens = new int[batch][params.maxNewTokens()];
    float[][] logProbs = new float[batch][params.maxNewTokens()];
    int[] lengths = new int[batch];
    boolean[] done = new boolean[batch];
    float[] probs = new float[vocab];
    try (NDScope ignored = new NDScope()) {
      KvCache cache = new KvCache(policy.architecture().layers());
      long[] flat = new long[batch * promptLen];
      for (int b = 0; b < batch; b++) {
        for (int t = 0; t < prompts[b].length; t++) {
          flat[b * promptLen + leftPad[b] + t] = prompts[b][t];
        }
      }
      NDArray input = policy.manager().create(flat, new Shape(batch, promptLen));
      NDArray last = policy.forward(input, cache, pad).get(new NDIndex(":, -1, :"));        // [B, V]
      long[] next = new long[batch];
      for (int step = 0; step < params.maxNewTokens(); step++) {
        NDArray scaled = params.temperature() == 1.0 ? last : last.div(params.temperature());
        float[] logp = scaled.logSoftmax(-1).toFloatArray();                                  // B × V
        int active = 0;
        for (int b = 0; b < batch; b++) {
          if (done[b]) {
            next[b] = 0;
            continue;
          }
          int token = sample(logp, b * vocab, vocab, params, rng, probs);
          tokens[b][lengths[b]] = token;
          logProbs[b][lengths[b]] = logp[b * vocab + token];
          lengths[b]++;
          next[b] = token;
          done[b] = params.isStop(token);
          active += done[b] ? 0 : 1;
        }
        if (active == 0 || step == params.maxNewTokens() - 1) {
          break;
        }
        NDArray fed = policy.manager().create(next, new Shape(batch, 1));
        last = policy.forward(fed, cache, pad).squeeze(1);                                     // [B, V]
      }
    }
    int[][] outTokens = new int[batch][];
    float[][] outLogProbs = new float[batch][];
    for (int b = 0; b < batch; b++) {
      outTokens[b] = Arrays.copyOf(tokens[b], lengths[b]);
      outLogProbs[b] = Arrays.copyOf(logProbs[b], lengths[b]);
    }
    return new Generation(outTokens, outLogProbs);
  }

  /** Draws one token from row {@code logp[off .. off+vocab)} after top-k / top-p truncation. */
  static int sample(float[] logp, int off, int vocab, SamplingParams params, SplittableRandom rng, float[] probs) {
    for (int i = 0; i < vocab; i++) {
      probs[i] = (float) Math.exp(logp[off + i]);
    }
    if (params.topK() > 0 && params.topK() < vocab || params.topP() < 1.0) {
      truncate(probs, vocab, params.topK(), params.topP());
    }
    double total = 0;
    for (int i = 0; i < vocab; i++) {
      total += probs[i];
    }
    double u = rng.nextDouble() * total;
    double cum = 0;
    int lastKept = 0;
    for (int i = 0; i < vocab; i++) {
      if (probs[i] > 0) {
        cum += probs[i];
        lastKept = i;
        if (u < cum) {
          return i;
        }
      }
    }
    return lastKept; // u landed on the rounding slack at the top
  }

  /** Zeroes every probability outside the top-k and outside the top-p nucleus. */
  private static void truncate(float[] probs, int vocab, int topK, double topP) {
    Integer[] order = new Integer[vocab];
    for (int i = 0; i < vocab; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(probs[b], probs[a]));
    int keep = topK > 0 ? Math.min(topK, vocab) : vocab;
    double cum = 0;
    for (int r = 0; r < keep; r++) {
      cum += probs[order[r]];
      if (cum >= topP) {
        keep = r + 1;
        break;
      }
    }
    for (int r = keep; r < vocab; r++) {
      probs[order[r]] = 0;
    }
  }
}
