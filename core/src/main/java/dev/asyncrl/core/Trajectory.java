package dev.asyncrl.core;

import java.util.Arrays;

/**
 * One sampled response to a prompt, with everything the trainer needs to learn from it.
 *
 * <p>Per response token {@code t}: the token id, the behaviour log-probability {@code ℓμ_t} recorded by the
 * rollout worker when it sampled the token, and the loss mask {@code m_t} (1 = trained on, 0 = prompt,
 * padding or environment/tool token). The three arrays have the same length.
 *
 * @param promptTokens   the prompt, as fed to the policy
 * @param responseTokens the sampled tokens, including a stop token when one was produced
 * @param behaviourLogProbs {@code ℓμ_t}: log-probability of each response token under the sampling policy
 * @param lossMask       {@code m_t} in {0, 1}
 * @param reward         the scalar outcome reward {@code R}
 * @param startVersion   policy version that sampled the first response token
 * @param endVersion     policy version that sampled the last response token (equal unless partial rollouts)
 * @param generationNanos wall time spent sampling and scoring this response
 */
public record Trajectory(
    int[] promptTokens,
    int[] responseTokens,
    float[] behaviourLogProbs,
    byte[] lossMask,
    double reward,
    long startVersion,
    long endVersion,
    long generationNanos) {

  public Trajectory {
    if (responseTokens.length != behaviourLogProbs.length || responseTokens.length != lossMask.length) {
      throw new IllegalArgumentException("response tokens (" + responseTokens.length + "), behaviour log-probs ("
          + behaviourLogProbs.length + ") and loss mask (" + lossMask.length + ") must have the same length");
    }
    if (endVersion < startVersion) {
      throw new IllegalArgumentException("endVersion " + endVersion + " < startVersion " + startVersion);
    }
    if (!Double.isFinite(reward)) {
      throw new IllegalArgumentException("reward must be finite, was " + reward);
    }
  }

  public int length() {
    return promptTokens.length + responseTokens.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Trajectory t
        && Arrays.equals(promptTokens, t.promptTokens)
        && Arrays.equals(responseTokens, t.responseTokens)
        && Arrays.equals(behaviourLogProbs, t.behaviourLogProbs)
        && Arrays.equals(lossMask, t.lossMask)
        && Double.compare(reward, t.reward) == 0
        && startVersion == t.startVersion
        && endVersion == t.endVersion
        && generationNanos == t.generationNanos;
  }

  @Override
  public int hashCode() {
    int h = Arrays.hashCode(promptTokens);
    h = 31 * h + Arrays.hashCode(responseTokens);
    h = 31 * h + Arrays.hashCode(behaviourLogProbs);
    h = 31 * h + Arrays.hashCode(lossMask);
    h = 31 * h + Double.hashCode(reward);
    return 31 * h + Long.hashCode(startVersion);
  }

  @Override
  public String toString() {
    return "Trajectory[prompt=" + promptTokens.length + " tokens, response=" + responseTokens.length
        + " tokens, reward=" + reward + ", version=" + startVersion + "]";
  }
}
