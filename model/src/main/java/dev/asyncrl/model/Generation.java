package dev.asyncrl.model;

/**
 * Sampled responses for a batch of prompts: per row the response tokens (ending with the stop token when
 * one was produced) and the behaviour log-probability of each.
 */
public record Generation(int[][] tokens, float[][] logProbs) {
}
