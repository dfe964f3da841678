package dev.asyncrl.runtime;

import ai.djl.ndarray.types.Shape;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.core.config.Setting;
import dev.asyncrl.model.Architecture;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;

/**
 * How much memory a job's model takes in one process, from the parameter shapes alone (nothing allocated):
 * checked before a run starts so that a typo like {@code model.d_model: 60000} is a one-line error naming
 * the key, not an integer overflow or an out-of-memory crash minutes later.
 *
 * <p>In-process, one copy of the weights in {@code model.dtype} lives in: the trainer (weights, gradients, two
 * AdamW moments: 4 copies when every weight trains, 1 with LoRA), the frozen reference when the algorithm has a
 * KL penalty, and each published version the weight channel retains ({@code lag + 2}); each rollout worker
 * holds one in {@code model.rollout_dtype}.
 */
public record ModelFootprint(long parameters, long bytes, String largestTensor, long largestElements) {

  /** One array holds at most this many elements (Java arrays and DJL's host copies are int-indexed). */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE;

  public static ModelFootprint of(JobConfig job, Architecture arch, boolean klReference) {
    long parameters = 0;
    String largest = "";
    long largestElements = 0;
    for (Map.Entry<String, Shape> e : arch.parameterShapes().entrySet()) {
      long n = 1;
      for (long dim : e.getValue().getShape()) {
        n = Math.multiplyExact(n, dim);
      }
      parameters = Math.addExact(parameters, n);
      if (n > largestElements) {
        largestElements = n;
        largest = e.getKey() + " " + e.getValue();
      }
    }
    long trainerBytes = job.get(JobSchema.MODEL_DTYPE).equals("float16") ? 2 : 4;
    long rolloutBytes = job.get(JobSchema.ROLLOUT_DTYPE).equals("float16") ? 2 : 4;
    long trainerCopies = (job.loraEnabled() ? 1 : 4) + (klReference ? 1 : 0) + job.get(JobSchema.LAG) + 2L;
    long bytes;
    try {
      bytes = Math.addExact(Math.multiplyExact(parameters, trainerBytes * trainerCopies),
          Math.multiplyExact(parameters, rolloutBytes * job.get(JobSchema.WORKERS)));
    } catch (ArithmeticException e) {
      bytes = Long.MAX_VALUE;
    }
    return new ModelFootprint(parameters, bytes, largest, largestElements);
  }

  /** The physical memory of this machine. */
  public static long machineBytes() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
  }

  /**
   * Fails naming {@code key} (the setting that sizes the model) when one tensor exceeds {@link #MAX_ELEMENTS} or
   * the model does not fit in {@code available} bytes.
   */
  public void check(JobConfig job, Setting<?> key, long available) {
    if (largestElements > MAX_ELEMENTS) {
      throw job.settings().error(key, "the weight " + largestTensor + " would have " + largestElements
          + " elements, more than one array holds (2^31 - 1)");
    }
    if (bytes > available) {
      throw job.settings().error(key, String.format(Locale.ROOT, "the model has %,d parameters; training it here needs "
          + "about %s (trainer state, the reference, each rollout worker's copy and the published versions), more than "
          + "this machine's %s", parameters, gib(bytes), gib(available)));
    }
  }

  public static String gib(long bytes) {
    return bytes == Long.MAX_VALUE ? "more than 8 EiB" : String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }

  /** The key a user changes to resize the model: its folder, or the built-in model's width. */
  public static Setting<?> sizingKey(JobConfig job) {
    return job.hasPretrained() ? JobSchema.MODEL_PATH : JobSchema.D_MODEL;
  }
}
