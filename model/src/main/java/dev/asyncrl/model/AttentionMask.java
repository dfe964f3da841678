package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.gpu.HostData;

/** Causal attention masks and position ids shared by the architectures, with optional left padding. */
public final class AttentionMask {
  private AttentionMask() {}

  static final float NEG_INF = -1e9f;

  /**
   * Additive mask for {@code steps} new queries after {@code offset} cached keys: query {@code i} sees keys
   * {@code j <= offset + i}, never a padded key. {@code [S, offset+S]} without padding, {@code [B, 1, S,
   * offset+S]} with; null when nothing would be masked (one new token, no padding).
   */
  public static NDArray additive(NDManager m, DataType dtype, int batch, int steps, int offset, int[] leftPad) {
    return additive(m, dtype, batch, steps, offset, leftPad, 0);
  }

  /** As above, for keys from column {@code from} on ({@link KvCache#windowStart()}): {@code [.., S, offset+S−from]}. */
  public static NDArray additive(NDManager m, DataType dtype, int batch, int steps, int offset, int[] leftPad,
      int from) {
    if (steps == 1 && leftPad == null) {
      return null;
    }
    int keys = offset + steps - from;
    int rows = leftPad == null ? 1 : batch;
    float[] mask = new float[rows * steps * keys];
    for (int b = 0; b < rows; b++) {
      int pad = leftPad == null ? 0 : leftPad[b];
      for (int i = 0; i < steps; i++) {
        int base = (b * steps + i) * keys;
        for (int j = 0; j < keys; j++) {
          int column = from + j;
          if (column > offset + i || column < pad) {
            mask[base + j] = NEG_INF;
          }
        }
      }
    }
    Shape shape = leftPad == null ? new Shape(steps, keys) : new Shape(batch, 1, steps, keys);
    NDArray f = HostData.own(m.create(mask, shape));
    return dtype == DataType.FLOAT32 ? f : f.toType(dtype, false);
  }

  /** The longest sequence among the rows after {@code steps} more tokens: what must fit the model's limit. */
  public static int longestRow(int steps, int offset, int[] rowStarts) {
    int earliest = 0;
    if (rowStarts != null) {
      earliest = Integer.MAX_VALUE;
      for (int s : rowStarts) {
        earliest = Math.min(earliest, s);
      }
    }
    return offset + steps - earliest;
  }

  /** Position of each new token, {@code [B, S]} int64: {@code offset + s − leftPad[b]}, at least 0. */
  public static NDArray positions(NDManager m, int batch, int steps, int offset, int[] leftPad) {
    long[] pos = new long[batch * steps];
    for (int b = 0; b < batch; b++) {
      int pad = leftPad == null ? 0 : leftPad[b];
      for (int s = 0; s < steps; s++) {
        pos[b * steps + s] = Math.max(0, offset + s - pad);
      }
    }
    return HostData.own(m.create(pos, new Shape(batch, steps)));
  }
}
