package dev.asyncrl.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Samples one response per prompt with a {@link GenerationEngine} of as many slots as prompts: one batched
 * prefill (rows with the same prompt share it), every row draws from its own random stream (seeded from {@code rng} in row
 * order) and stops at its own stop token. Every native array is freed when {@link #generate} returns.
 */
public final class Sampler {
  private Sampler() {}

  /**
   * @param prompts one per row, any lengths
   * @param rng     seeds each row's stream; the same seed, weights and prompts give the same responses
   */
  public static Generation generate(TransformerPolicy policy, int[][] prompts, SamplingParams params,
      SplittableRandom rng) {
    int longest = 0;
    for (int[] p : prompts) {
      if (p.length == 0) {
        throw new IllegalArgumentException("an empty prompt cannot be sampled from");
      }
      longest = Math.max(longest, p.length);
    }
    List<GenerationEngine.Request> requests = new ArrayList<>();
    for (int row = 0; row < prompts.length; row++) {
      requests.add(new GenerationEngine.Request(prompts[row], rng.nextLong(), row));
    }
    int[][] tokens = new int[prompts.length][];
    float[][] logProbs = new float[prompts.length][];
    try (GenerationEngine engine = new GenerationEngine(policy, params, prompts.length, longest)) {
      List<GenerationEngine.Completion> done = new ArrayList<>(engine.start(requests));
      while (!engine.idle()) {
        done.addAll(engine.step());
      }
      for (GenerationEngine.Completion c : done) {
        int row = (Integer) c.tag();
        tokens[row] = c.tokens();
        logProbs[row] = c.logProbs();
      }
    }
    return new Generation(tokens, logProbs);
  }
}
