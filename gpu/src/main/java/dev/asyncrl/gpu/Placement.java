package dev.asyncrl.gpu;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Where the trainer and the rollout workers run, and how many intra-op threads each uses.
 *
 * @param threads PyTorch intra-op threads per component; the trainer and every worker run concurrently,
 *                so on a small CPU one thread each avoids oversubscription
 */
public record Placement(Device trainer, Device rollout, int threads, int gpuCount) {

  /** How many GPUs the engine sees. */
  public static int visibleGpus() {
    return Engine.getInstance().getGpuCount();
  }

  /** Resolves the configured names against the GPUs the engine sees. */
  public static Placement resolve(String trainerSpec, String rolloutSpec, int threads) {
    int gpus = visibleGpus();
    int resolvedThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    return new Placement(DeviceSpec.resolve(trainerSpec, gpus), DeviceSpec.resolve(rolloutSpec, gpus),
        resolvedThreads, gpus);
  }

  /** The one-line report printed at start. */
  public String report() {
    return "placement: trainer=" + name(trainer) + " rollout=" + name(rollout) + " threads/component="
        + threads + " (" + (gpuCount == 0 ? "no GPU visible" : gpuCount + " GPU(s) visible") + ", "
        + Runtime.getRuntime().availableProcessors() + " CPU cores, engine "
        + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion() + ")";
  }

  private static String name(Device d) {
    return d.isGpu() ? "cuda:" + d.getDeviceId() : "cpu";
  }
}
