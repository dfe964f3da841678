package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The keys and values of a prefix that every row of a batch shares, computed for one row and attended to by all:
 * a forward over a group's responses, which share their prompt, then costs one prompt instead of one per
 * response. Used for whole-sequence scoring in two forwards: first the prefix, one row; then the rest, every
 * row. The second forward's keys and values are the prefix's, broadcast to its rows, followed by its own. The
 * graph runs through the broadcast, so the gradient of the prefix's computation is the sum over the rows, as in a
 * forward of each row whole.
 */
final class SharedPrefixCache implements KvCache {

  private final NDArray[][] prefix;
  private int length;

  SharedPrefixCache(int layers) {
    this.prefix = new NDArray[layers][];
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public int[] rowStarts() {
    return null;
  }

  @Override
  public NDArray[] append(int layer, NDArray k, NDArray v) {
    if (length == 0) {
      prefix[layer] = new NDArray[] {k, v};                                                  // [1, KV, P, dh]
      return prefix[layer];
    }
    long rows = k.getShape().get(0);
    return new NDArray[] {rowsOf(prefix[layer][0], rows).concat(k, 2), rowsOf(prefix[layer][1], rows).concat(v, 2)};
  }

  @Override
  public void advance(int tokens) {
    length += tokens;
  }

  /** {@code x [1, KV, P, dh]} as {@code [rows, KV, P, dh]}, without a copy. */
  private static NDArray rowsOf(NDArray x, long rows) {
    Shape s = x.getShape();
    return x.broadcast(new Shape(rows, s.get(1), s.get(2), s.get(3)));
  }
}
