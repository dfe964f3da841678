package dev.asyncrl.algorithms;

/**
 * A policy-gradient surrogate per token. Pure: no state, no I/O. {@link Algorithm#objective} adds the KL
 * penalty and aggregates.
 */
public interface PolicyLoss {

  TokenLoss perToken(LossInputs in);
}
