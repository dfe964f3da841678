package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.asyncrl.core.BadInputException;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.gpu.Placement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each device's share of a job against what the device has, before anything starts. GPU memory is given here
 * (CUDA reports it on a GPU machine), so the accounting is checked on any machine.
 */
class ModelFootprintTest {

  private static final long GIB = 1L << 30;

  @Test
  void eachDeviceCarriesItsShareAndFloat16WorkersHalveTheirs() {
    JobConfig job = JobRunnerTest.job("model.d_model=256", "model.n_layers=4", "rollout.workers=3");
    try (JobModel model = JobModel.of(job)) {
      ModelFootprint f = model.footprint();
      Placement split = Placement.resolve("cuda:0", "cuda:1,cuda:2", 1, 3);
      Map<Device, ModelFootprint.Load> loads = ModelFootprint.perDevice(split, true, 0, 3);
      assertEquals(Map.of(Device.gpu(0), new ModelFootprint.Load(true, 0), Device.gpu(1), new ModelFootprint.Load(false, 2),
          Device.gpu(2), new ModelFootprint.Load(false, 1)), loads);
      assertEquals(f.trainerBytes(), f.bytes(loads.get(Device.gpu(0))));
      assertEquals(2 * f.workerBytes(), f.bytes(loads.get(Device.gpu(1))));
      // Full fine-tuning with AdamW: 4 float32 copies, plus lag + 2 published versions.
      assertEquals(f.parameters() * 4 * (4 + 2), f.trainerBytes());
      try (JobModel half = JobModel.of(JobRunnerTest.job("model.d_model=256", "model.n_layers=4",
          "model.rollout_dtype=float16"))) {
        ModelFootprint h = half.footprint();
        assertEquals(f.workerBytes() / 2, h.workerBytes(), "weights and cache both in float16");
      }
    }
  }

  @Test
  void aGpuTooSmallIsAnErrorNamingTheKeyOfWhatDoesNotFit() {
    JobConfig job = JobRunnerTest.job("model.d_model=256", "model.n_layers=4");
    try (JobModel model = JobModel.of(job)) {
      ModelFootprint f = model.footprint();
      Placement colocated = Placement.resolve("cuda:0", "cuda:0", 1, 1);
      Map<Device, ModelFootprint.Load> loads = ModelFootprint.perDevice(colocated, true, 0, 3);
      long need = f.bytes(loads.get(Device.gpu(0)));
      f.check(job, loads, d -> need); // exactly enough
      BadInputException e = assertThrows(BadInputException.class, () -> f.check(job, loads, d -> need - 1));
      assertTrue(e.getMessage().startsWith("devices.trainer at default: cuda:0 has "), e.getMessage());
      assertTrue(e.getMessage().contains("trainer ") && e.getMessage().contains("3 worker(s)"), e.getMessage());
      Placement split = Placement.resolve("cuda:0", "cuda:1", 1, 2);
      Map<Device, ModelFootprint.Load> splitLoads = ModelFootprint.perDevice(split, true, 0, 3);
      e = assertThrows(BadInputException.class, () -> f.check(job, splitLoads, d -> d.getDeviceId() == 0 ? GIB : 1));
      assertTrue(e.getMessage().startsWith("devices.rollout at default: cuda:1 has 0.0 GiB free"), e.getMessage());
      assertTrue(f.plan(splitLoads).contains("cuda:1"), f.plan(splitLoads));
    }
  }
}
