package dev.asyncrl.algorithms;

/** What the trainer asks of an algorithm: advantages from rewards, and the loss from per-token tensors. */
public record Algorithm(String name, AdvantageEstimator advantages, PolicyLoss loss) {}
