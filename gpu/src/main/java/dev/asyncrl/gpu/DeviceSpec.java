package dev.asyncrl.gpu;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns configured device names into DJL {@link Device}s, given how many GPUs the engine sees (after
 * {@code CUDA_VISIBLE_DEVICES}, which renumbers the GPUs a process sees from 0). A name is {@code auto},
 * {@code cpu} or {@code cuda:N} ({@code gpu:N} is the same); the rollout side also takes a comma-separated list
 * of GPUs, which its workers are spread over.
 */
public final class DeviceSpec {
  private DeviceSpec() {}

  /** The trainer's device: {@code auto} picks {@code cuda:0} when a GPU is visible and the CPU otherwise. */
  public static Device trainer(String spec, int gpuCount) {
    String s = normal(spec);
    if (s.equals("auto")) {
      return gpuCount > 0 ? Device.gpu(0) : Device.cpu();
    }
    return one(spec, s, gpuCount);
  }

  /**
   * The rollout workers' devices, in the order workers take them. {@code auto} means every visible GPU but the
   * trainer's (trainer and workers split), the trainer's GPU when it is the only one (colocated), or the CPU.
   */
  public static List<Device> rollout(String spec, int gpuCount, Device trainer) {
    String s = normal(spec);
    if (s.equals("auto")) {
      List<Device> others = new ArrayList<>();
      for (int i = 0; i < gpuCount; i++) {
        if (!(trainer.isGpu() && trainer.getDeviceId() == i)) {
          others.add(Device.gpu(i));
        }
      }
      return !others.isEmpty() ? others : List.of(gpuCount > 0 ? Device.gpu(0) : Device.cpu());
    }
    List<Device> out = new ArrayList<>();
    for (String part : s.split(",")) {
      Device d = one(spec, part.strip(), gpuCount);
      if (out.contains(d)) {
        throw new IllegalArgumentException("'" + spec + "' lists " + part.strip() + " twice");
      }
      if (!d.isGpu() && s.contains(",")) {
        throw new IllegalArgumentException("'" + spec + "': a list names GPUs only (cuda:N,cuda:M)");
      }
      out.add(d);
    }
    return List.copyOf(out);
  }

  private static String normal(String spec) {
    return spec.strip().toLowerCase(Locale.ROOT);
  }

  private static Device one(String spec, String s, int gpuCount) {
    if (s.equals("cpu")) {
      return Device.cpu();
    }
    String[] parts = s.split(":");
    if (parts.length == 2 && (parts[0].equals("cuda") || parts[0].equals("gpu"))) {
      int index;
      try {
        index = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected auto, cpu or cuda:N, got '" + spec + "'");
      }
      if (index < 0 || index >= gpuCount) {
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        throw new IllegalArgumentException("'" + s + "' names GPU " + index + " but "
            + (gpuCount == 0 ? "no GPU is visible" : "only " + gpuCount + " GPU(s) are visible (cuda:0..cuda:"
                + (gpuCount - 1) + ")")
            + (visible != null ? " with CUDA_VISIBLE_DEVICES=" + visible : "") + "; use auto or cpu");
      }
      return Device.gpu(index);
    }
    throw new IllegalArgumentException("expected auto, cpu or cuda:N, got '" + spec + "'");
  }
}
