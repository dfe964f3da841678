package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;

/**
 * Keys and values of the tokens already processed, so that a forward feeds only new tokens. All rows of a
 * batch write the same columns; row {@code b}'s own tokens start at column {@code rowStarts()[b]} and earlier
 * columns are never attended (left padding, or another sequence's leftovers in a reused slot).
 */
public interface KvCache {

  /** The column the next tokens go to. */
  int length();

  /** Per row, the column of its first token; null when every row starts at column 0. */
  int[] rowStarts();

  /**
   * The first column {@link #append} returns: columns before every row's start hold nothing any row
   * attends, so attention skips them. 0 unless the rows all start later.
   */
  default int windowStart() {
    return 0;
  }

  /**
   * Stores this forward's keys and values of {@code layer} ({@code [B, KV, S, dh]}) at columns
   * {@code length() .. length() + S}; returns what the new queries attend to, columns {@code windowStart()}
   * to {@code length() + S}: {@code [B, KV, T, dh]}.
   */
  NDArray[] append(int layer, NDArray k, NDArray v);

  /** Moves {@link #length()} past the tokens just appended (after every layer has appended them). */
  void advance(int tokens);
}
