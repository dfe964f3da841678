package dev.asyncrl.gpu;

import ai.djl.Device;
import java.util.Locale;

/**
 * Turns a configured device name ({@code auto}, {@code cpu}, {@code cuda:N} / {@code gpu:N}) into a DJL
 * {@link Device}, given how many GPUs the engine sees. {@code auto} picks {@code cuda:0} when a GPU is
 * visible and the CPU otherwise.
 */
public final class DeviceSpec {
  private DeviceSpec() {}

  /** @throws IllegalArgumentException naming the value when it is malformed or names a missing GPU */
  public static Device resolve(String spec, int gpuCount) {
    String s = spec.strip().toLowerCase(Locale.ROOT);
    if (s.equals("auto")) {
      return gpuCount > 0 ? Device.gpu(0) : Device.cpu();
    }
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
        throw new IllegalArgumentException("'" + spec + "' names GPU " + index + " but "
            + (gpuCount == 0 ? "no GPU is visible" : "only " + gpuCount + " GPU(s) are visible")
            + "; use auto or cpu");
      }
      return Device.gpu(index);
    }
    throw new IllegalArgumentException("expected auto, cpu or cuda:N, got '" + spec + "'");
  }
}
