package dev.asyncrl.gpu;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where the trainer and the rollout workers run, and how many intra-op threads each uses. Worker {@code i}
 * runs on {@code rollout[i mod rollout.size()]}: with {@code devices.rollout: cuda:1,cuda:2} and four workers,
 * two per GPU.
 *
 * @param threads PyTorch intra-op threads per component; the trainer and every worker run concurrently,
 *                so on a small CPU one thread each avoids oversubscription
 */
public record Placement(Device trainer, List<Device> rollout, int threads, int gpuCount) {

  public Placement {
    rollout = List.copyOf(rollout);
    if (rollout.isEmpty()) {
      throw new IllegalArgumentException("no rollout device");
    }
  }

  /** How many GPUs the engine sees. */
  public static int visibleGpus() {
    return Engine.getInstance().getGpuCount();
  }

  /** Resolves the configured names ({@link DeviceSpec}) against {@code gpus} visible GPUs. */
  public static Placement resolve(String trainerSpec, String rolloutSpec, int threads, int gpus) {
    Device trainer = DeviceSpec.trainer(trainerSpec, gpus);
    return of(trainer, DeviceSpec.rollout(rolloutSpec, gpus, trainer), threads, gpus);
  }

  /** @param threads per component; 0 = all cores */
  public static Placement of(Device trainer, List<Device> rollout, int threads, int gpus) {
    return new Placement(trainer, rollout, threads > 0 ? threads : Runtime.getRuntime().availableProcessors(), gpus);
  }

  /** The device of rollout worker {@code worker} (numbered across every process of the job). */
  public Device rolloutDevice(int worker) {
    return rollout.get(Math.floorMod(worker, rollout.size()));
  }

  /** Free memory of a GPU in bytes, as CUDA reports it (other processes' use included). */
  public static long freeBytes(Device gpu) {
    MemoryUsage usage = CudaUtils.getGpuMemory(gpu);
    return usage.getMax() - usage.getCommitted();
  }

  /** Whether the trainer shares its GPU with rollout workers. */
  public boolean colocated() {
    return trainer.isGpu() && rollout.contains(trainer);
  }

  /** The one-line report printed at start. */
  public String report() {
    return "placement: trainer=" + name(trainer) + " rollout=" + rollout.stream().map(Placement::name)
        .collect(Collectors.joining(",")) + (colocated() ? " (colocated)" : "") + " threads/component=" + threads
        + " (" + (gpuCount == 0 ? "no GPU visible" : gpuCount + " GPU(s) visible") + ", "
        + Runtime.getRuntime().availableProcessors() + " CPU cores, engine "
        + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion() + ")";
  }

  public static String name(Device d) {
    return d.isGpu() ? "cuda:" + d.getDeviceId() : "cpu";
  }
}
