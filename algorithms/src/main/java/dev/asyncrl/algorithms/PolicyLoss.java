package dev.asyncrl.algorithms;

/** A policy-gradient surrogate over per-token tensors. Pure: no state, no I/O. */
public interface PolicyLoss {

  LossResult compute(LossInputs in);
}
