package dev.asyncrl.model;

import java.util.Arrays;

/**
 * How responses are sampled.
 *
 * @param maxNewTokens response length limit
 * @param temperature  logits are divided by it; the recorded behaviour log-probs are those of this tempered
 *                     distribution before top-k/top-p truncation (as verl and AReaL record them)
 * @param topK         keep only the k most likely tokens; 0 = off
 * @param topP         keep the smallest set of tokens whose mass reaches topP; 1 = off
 * @param stopTokens   generation of a row ends after it emits one of these (the stop token is kept)
 */
public record SamplingParams(int maxNewTokens, double temperature, int topK, double topP, int[] stopTokens) {

  public SamplingParams {
    if (maxNewTokens <= 0 || temperature <= 0 || topK < 0 || topP <= 0 || topP > 1) {
      throw new IllegalArgumentException("invalid sampling parameters: " + this);
    }
    stopTokens = stopTokens.clone();
  }

  public boolean isStop(int token) {
    for (int s : stopTokens) {
      if (s == token) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "SamplingParams[maxNewTokens=" + maxNewTokens + ", temperature=" + temperature + ", topK=" + topK
        + ", topP=" + topP + ", stopTokens=" + Arrays.toString(stopTokens) + "]";
  }
}
