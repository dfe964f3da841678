package dev.asyncrl.gpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * What a busy JVM does between a forward and its backward pass: a garbage collection frees the direct buffers of
 * closed arrays made from Java data, and new small arrays from Java data reuse that memory with other values. A
 * backward pass that still reads a freed buffer then computes with those values.
 */
public final class FreedMemory {
  private FreedMemory() {}

  /** Collects garbage, then fills freed memory with {@code 1e6}; the returned arrays are the caller's to close. */
  public static List<NDArray> collectAndReuse(NDManager m) {
    System.gc();
    try {
      Thread.sleep(20);                                                                      // the cleaner thread frees
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<NDArray> reuse = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      reuse.add(m.create(new double[] {1e6}));
      reuse.add(m.create(new float[] {1e6f}));
    }
    return reuse;
  }
}
