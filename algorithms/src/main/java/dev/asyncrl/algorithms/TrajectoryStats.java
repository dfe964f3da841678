package dev.asyncrl.algorithms;

/**
 * What the trainer measures per response for estimators that need it (VCPO's optimal baseline), indexed
 * like the rewards: {@code [g][i]}.
 *
 * @param logWeights   {@code S_i = Σ_t m·(ℓθ − ℓμ)}, the log sequence importance weight
 * @param gradNormSq   {@code ‖∇θ log πθ(τ_i)‖²}, from one backward pass of that response alone
 */
public record TrajectoryStats(double[][] logWeights, double[][] gradNormSq) {}
