package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;

/**
 * Keys and values of every layer for the tokens seen so far, so that each sampling step feeds only the new
 * token. Arrays are {@code [B, heads, T, dh]} (key/value heads under grouped-query attention) and grow along
 * T; they live in the caller's scope. An {@link Architecture} appends each layer's keys and values, then advances.
 */
public final class KvCache {

  private final NDArray[] keys;
  private final NDArray[] values;
  private int length;

  public KvCache(int layers) {
    keys = new NDArray[layers];
    values = new NDArray[layers];
  }

  /** Tokens cached so far: the position of the next token fed. */
  public int length() {
    return length;
  }

  /** Appends this step's {@code [B, H, S, dh]} keys/values for {@code layer}; returns the full [B, H, T+S, dh]. */
  public NDArray[] append(int layer, NDArray k, NDArray v) {
    if (keys[layer] == null) {
      keys[layer] = k;
      values[layer] = v;
    } else {
      NDArray oldK = keys[layer];
      NDArray oldV = values[layer];
      keys[layer] = oldK.concat(k, 2);
      values[layer] = oldV.concat(v, 2);
      oldK.close(); // the grown copies replace them; freeing keeps memory O(T) per step, not O(T^2)
      oldV.close();
    }
    return new NDArray[] {keys[layer], values[layer]};
  }

  public void advance(int tokens) {
    length += tokens;
  }
}
