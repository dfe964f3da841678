package dev.asyncrl.model;

/**
 * Sampled responses for a batch of prompts: per row the response tokens (ending with the stop token when
 * one was produced) and the behaviour log-probability of each.
 */
public record Generation(int[][] tokens, float[][] logProbs) {

  public int size() {
    return tokens.length;
  }

  public int totalTokens() {
    int n = 0;
    for (int[] t : tokens) {
      n += t.length;
    }
    return n;
  }
}
