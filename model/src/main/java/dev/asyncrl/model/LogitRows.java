package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * The positions of a forward that get logits. The output projection onto the vocabulary is the largest matrix
 * product of a decode step and, in training, of every scored column, so a forward projects only the positions
 * its caller reads.
 */
public sealed interface LogitRows {

  /** Every position. */
  LogitRows ALL = new From(0);

  /** The hidden states {@code x [B, S, D]} of the chosen positions. */
  NDArray select(NDArray x);

  /** Positions {@code column..} of every row. */
  static LogitRows from(int column) {
    return column == 0 ? ALL : new From(column);
  }

  /** The positions {@code index} counted row-major over {@code [B, S]}. */
  static LogitRows at(NDArray index) {
    return new At(index);
  }

  /**
   * Positions {@code column..} of every row ({@code S − 1}: the last only, all that sampling needs; {@code S}:
   * none, to fill a cache): {@code [B, S − column, D]}.
   */
  record From(int column) implements LogitRows {
    @Override
    public NDArray select(NDArray x) {
      return column == 0 ? x : x.get(new NDIndex(":, {}:, :", column));
    }
  }

  /**
   * Scattered positions (the trained tokens of a batch of episodes, whose tool results and role headers need no
   * logits): {@code index [N]} (int64) into the row-major {@code [B·S]} positions; {@code [N, D]}.
   */
  record At(NDArray index) implements LogitRows {
    @Override
    public NDArray select(NDArray x) {
      long d = x.getShape().get(2);
      try (NDArray rows = x.reshape(-1, d); NDArray column = index.expandDims(1);
          NDArray everyFeature = column.broadcast(index.getShape().get(0), d)) {
        return rows.gather(everyFeature, 0);                                          // [N, D]
      }
    }
  }
}
