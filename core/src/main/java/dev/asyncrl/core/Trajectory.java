package dev.asyncrl.core;

import java.util.Arrays;

/**
 * One sampled response to a prompt, with everything the trainer needs to learn from it.
 *
 * <p>Per response token {@code t}: the token id, the behaviour log-probability {@code ℓμ_t} recorded by the
 * rollout worker when it sampled the token, and the loss mask {@code m_t} (1 = sampled by the model and trained
 * on, 0 = an environment token: an observation or tool result between two turns of an episode, never sampled,
 * with log-prob 0). The arrays have the same length. A multi-turn episode is one trajectory: its first
 * observation is the prompt, and its turns and the observations between them are the response, token for token
 * as the model saw them.
 *
 * @param promptTokens   the prompt, as fed to the policy
 * @param responseTokens the sampled tokens, including a stop token when one was produced
 * @param behaviourLogProbs {@code ℓμ_t}: log-probability of each response token under the sampling policy
 * @param lossMask       {@code m_t} in {0, 1}
 * @param reward         the scalar outcome reward {@code R}
 * @param startVersion   the oldest policy version among the response tokens; staleness counts from it
 * @param endVersion     the newest (equal to startVersion unless weights changed mid-response: partial rollouts)
 * @param generationNanos wall time spent sampling and scoring this response
 * @param tokenVersions  the policy version that sampled each response token, between start and end version
 */
public record Trajectory(
    int[] promptTokens,
    int[] responseTokens,
    float[] behaviourLogProbs,
    byte[] lossMask,
    double reward,
    long startVersion,
    long endVersion,
    long generationNanos,
    long[] tokenVersions) {

  /** A response sampled by one policy version throughout. */
  public Trajectory(int[] promptTokens, int[] responseTokens, float[] behaviourLogProbs, byte[] lossMask, double reward,
      long startVersion, long endVersion, long generationNanos) {
    this(promptTokens, responseTokens, behaviourLogProbs, lossMask, reward, startVersion, endVersion, generationNanos,
        uniform(responseTokens.length, startVersion, endVersion));
  }

  /** A response whose tokens carry their own versions; start and end are their oldest and newest. */
  public static Trajectory withTokenVersions(int[] promptTokens, int[] responseTokens, float[] behaviourLogProbs,
      byte[] lossMask, double reward, long generationNanos, long[] tokenVersions) {
    long start = Arrays.stream(tokenVersions).min().orElse(0);
    long end = Arrays.stream(tokenVersions).max().orElse(0);
    return new Trajectory(promptTokens, responseTokens, behaviourLogProbs, lossMask, reward, start, end, generationNanos,
        tokenVersions);
  }

  private static long[] uniform(int n, long start, long end) {
    if (start != end) {
      throw new IllegalArgumentException("a response sampled by versions " + start + ".." + end
          + " needs the version of each token");
    }
    long[] v = new long[n];
    Arrays.fill(v, start);
    return v;
  }

  /** Σ over the model's tokens (mask 1) of (trainer version − the token's version): for token-weighted staleness. */
  public long tokenStaleness(long trainerVersion) {
    long sum = 0;
    for (int k = 0; k < tokenVersions.length; k++) {
      sum += lossMask[k] * (trainerVersion - tokenVersions[k]);
    }
    return sum;
  }

  /** The tokens the model sampled (mask 1); the others are the environment's. */
  public int modelTokens() {
    int n = 0;
    for (byte m : lossMask) {
      n += m;
    }
    return n;
  }

  /**
   * Where the response's segments end (exclusive): a segment is a run of tokens with one mask value, so model
   * turns (mask 1) and what the environment said (mask 0) alternate. A single-turn response is one segment.
   */
  public int[] segmentEnds() {
    int[] ends = new int[lossMask.length];
    int n = 0;
    for (int k = 1; k <= lossMask.length; k++) {
      if (k == lossMask.length || lossMask[k] != lossMask[k - 1]) {
        ends[n++] = k;
      }
    }
    return Arrays.copyOf(ends, n);
  }

  /** The model's turns: the segments of sampled tokens (mask 1), each starting where the mask turns to 1. */
  public int turns() {
    int turns = 0;
    for (int k = 0; k < lossMask.length; k++) {
      turns += lossMask[k] == 1 && (k == 0 || lossMask[k - 1] == 0) ? 1 : 0;
    }
    return turns;
  }

  public Trajectory {
    if (tokenVersions.length != responseTokens.length) {
      throw new IllegalArgumentException("token versions (" + tokenVersions.length + ") and response tokens ("
          + responseTokens.length + ") must have the same length");
    }
    for (long v : tokenVersions) {
      if (v < startVersion || v > endVersion) {
        throw new IllegalArgumentException("token version " + v + " outside " + startVersion + ".." + endVersion);
      }
    }
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
        && generationNanos == t.generationNanos
        && Arrays.equals(tokenVersions, t.tokenVersions);
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
