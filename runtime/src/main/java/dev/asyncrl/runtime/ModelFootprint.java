package dev.asyncrl.runtime;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.core.config.Setting;
import dev.asyncrl.gpu.Placement;
import dev.asyncrl.model.Architecture;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * How much memory a job's model takes, from the parameter shapes alone (nothing allocated): checked on every
 * device before a run starts, so that a typo like {@code model.d_model: 60000} or a model too large for its
 * GPU is a one-line error naming the key, not an integer overflow or an out-of-memory crash minutes later.
 *
 * <p>The trainer holds, in {@code model.dtype}: weights, gradients and two AdamW moments (4 copies when every
 * weight trains, 1 with LoRA), the frozen reference when the algorithm has a KL penalty, and each published
 * version the weight channel retains ({@code lag + 2}). Each rollout worker holds one copy in
 * {@code model.rollout_dtype} and its key/value cache. Activations come on top and are not counted.
 *
 * @param trainerBytes what the trainer holds
 * @param workerBytes  what one rollout worker holds, its cache included
 * @param cacheBytes   one worker's key/value cache
 */
public record ModelFootprint(long parameters, long trainerBytes, long workerBytes, long cacheBytes, String largestTensor,
    long largestElements) {

  /** One array holds at most this many elements (Java arrays and DJL's host copies are int-indexed). */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE;

  /** @param longestPrompt the longest prompt a worker's cache must hold */
  public static ModelFootprint of(JobConfig job, Architecture arch, boolean klReference, int longestPrompt) {
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
    long trainerValue = job.get(JobSchema.MODEL_DTYPE) == JobSchema.ComputeType.FLOAT16 ? 2 : 4;
    long rolloutValue = job.get(JobSchema.ROLLOUT_DTYPE) == JobSchema.ComputeType.FLOAT16 ? 2 : 4;
    long trainerCopies = (job.loraEnabled() ? 1 : 4) + (klReference ? 1 : 0) + job.get(JobSchema.LAG) + 2L;
    // GenerationEngine: slots × layers × (keys, values) × KV heads × head size × twice (prompt + response) columns.
    long columns = 2L * (longestPrompt + job.get(JobSchema.MAX_NEW_TOKENS));
    long cache = saturated(() -> Math.multiplyExact(Math.multiplyExact(Math.multiplyExact((long) job.slots() * arch.layers() * 2,
        (long) arch.kvHeads() * arch.headDim()), columns), rolloutValue));
    long n = parameters;
    long trainer = saturated(() -> Math.multiplyExact(n, trainerValue * trainerCopies));
    long worker = saturated(() -> Math.addExact(Math.multiplyExact(n, rolloutValue), cache));
    return new ModelFootprint(n, trainer, worker, cache, largest, largestElements);
  }

  private static long saturated(LongSupplier sum) {
    try {
      return sum.getAsLong();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** The physical memory of this machine. */
  public static long machineBytes() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
  }

  /** Fails naming {@code key} (the setting that sizes the model) when one tensor exceeds {@link #MAX_ELEMENTS}. */
  public void checkTensors(JobConfig job, Setting<?> key) {
    if (largestElements > MAX_ELEMENTS) {
      throw job.settings().error(key, "the weight " + largestTensor + " would have " + largestElements
          + " elements, more than one array holds (2^31 - 1)");
    }
  }

  /** What one device holds: the trainer or not, and how many rollout workers. */
  public record Load(boolean trainer, int workers) {
    Load plus(Load other) {
      return new Load(trainer || other.trainer, workers + other.workers);
    }
  }

  /**
   * What each device of {@code placement} holds in this process: the trainer when {@code trainerHere}, and
   * workers {@code firstWorker .. firstWorker + workers - 1} on theirs.
   */
  public static Map<Device, Load> perDevice(Placement placement, boolean trainerHere, int firstWorker, int workers) {
    Map<Device, Load> out = new LinkedHashMap<>();
    if (trainerHere) {
      out.merge(placement.trainer(), new Load(true, 0), Load::plus);
    }
    for (int w = firstWorker; w < firstWorker + workers; w++) {
      out.merge(placement.rolloutDevice(w), new Load(false, 1), Load::plus);
    }
    return out;
  }

  /** Bytes of a load. */
  public long bytes(Load load) {
    return saturated(() -> Math.addExact(load.trainer() ? trainerBytes : 0, Math.multiplyExact(workerBytes, load.workers())));
  }

  /**
   * Fails when a device would hold more than it has: the CPU against this machine's memory (naming the key that
   * sizes the model), a GPU against its free memory (naming {@code devices.*}).
   *
   * @param gpuFree free bytes of a GPU
   */
  public void check(JobConfig job, Map<Device, Load> loads, ToLongFunction<Device> gpuFree) {
    for (Map.Entry<Device, Load> e : loads.entrySet()) {
      Device device = e.getKey();
      long need = bytes(e.getValue());
      if (!device.isGpu()) {
        long available = machineBytes();
        if (need > available) {
          throw job.settings().error(sizingKey(job), String.format(Locale.ROOT, "the model has %,d parameters; "
              + "training it here needs about %s (trainer state, the reference, each rollout worker's copy and the "
              + "published versions), more than this machine's %s", parameters, gib(need), gib(available)));
        }
        continue;
      }
      long free = gpuFree.applyAsLong(device);
      if (need > free) {
        throw job.settings().error(e.getValue().trainer() ? JobSchema.TRAINER_DEVICE : JobSchema.ROLLOUT_DEVICE,
            String.format(Locale.ROOT, "%s has %s free but needs about %s before activations (%s); use LoRA, "
                + "model.rollout_dtype: float16, fewer workers or another GPU", Placement.name(device), gib(free),
                gib(need), describe(e.getValue())));
      }
    }
  }

  /** The memory plan of each device, for the start-up log. */
  public String plan(Map<Device, Load> loads) {
    StringBuilder out = new StringBuilder("memory before activations:");
    loads.forEach((device, load) -> out.append(' ').append(Placement.name(device)).append(' ')
        .append(gib(bytes(load))).append(" (").append(describe(load)).append(')'));
    return out.toString();
  }

  private String describe(Load load) {
    String workers = load.workers() + " worker(s) × " + gib(workerBytes) + " (KV cache " + gib(cacheBytes) + ")";
    return load.trainer() ? "trainer " + gib(trainerBytes) + (load.workers() > 0 ? " + " + workers : "") : workers;
  }

  public static String gib(long bytes) {
    return bytes == Long.MAX_VALUE ? "more than 8 EiB" : String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }

  /** The key a user changes to resize the model: its folder, or the built-in model's width. */
  public static Setting<?> sizingKey(JobConfig job) {
    return job.hasPretrained() ? JobSchema.MODEL_PATH : JobSchema.D_MODEL;
  }
}
