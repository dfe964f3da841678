package dev.asyncrl.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Device names against a given number of visible GPUs (the resolution itself needs no GPU). */
class PlacementTest {

  @Test
  void autoSplitsTrainerAndWorkersOverTheVisibleGpus() {
    assertEquals(List.of(Device.cpu()), Placement.resolve("auto", "auto", 1, 0).rollout());
    Placement one = Placement.resolve("auto", "auto", 1, 1);
    assertEquals(Device.gpu(0), one.trainer());
    assertEquals(List.of(Device.gpu(0)), one.rollout());
    assertTrue(one.colocated());
    Placement four = Placement.resolve("auto", "auto", 1, 4);
    assertEquals(List.of(Device.gpu(1), Device.gpu(2), Device.gpu(3)), four.rollout());
    assertFalse(four.colocated());
    assertEquals(List.of(Device.gpu(0), Device.gpu(2)), Placement.resolve("cuda:1", "auto", 1, 3).rollout());
  }

  @Test
  void workersAreSpreadOverAListInTurn() {
    Placement p = Placement.resolve("cuda:0", "cuda:1, cuda:2", 1, 3);
    assertEquals(List.of(Device.gpu(1), Device.gpu(2), Device.gpu(1), Device.gpu(2)),
        List.of(p.rolloutDevice(0), p.rolloutDevice(1), p.rolloutDevice(2), p.rolloutDevice(3)));
    assertEquals(Device.gpu(0), Placement.resolve("cuda:0", "cuda:0", 1, 1).rolloutDevice(5));
  }

  @Test
  void wrongNamesAreErrorsThatSayWhatIsVisible() {
    assertEquals("'cuda:2' names GPU 2 but only 2 GPU(s) are visible (cuda:0..cuda:1); use auto or cpu",
        assertThrows(IllegalArgumentException.class, () -> Placement.resolve("cuda:2", "auto", 1, 2)).getMessage()
            .replaceAll(" with CUDA_VISIBLE_DEVICES=[^;]*", ""));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Placement.resolve("auto", "cuda:0", 1, 0))
        .getMessage().contains("no GPU is visible"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Placement.resolve("auto", "cuda:1,cuda:1", 1, 2))
        .getMessage().contains("twice"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Placement.resolve("auto", "cpu,cuda:0", 1, 1))
        .getMessage().contains("GPUs only"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Placement.resolve("tpu:0", "auto", 1, 1))
        .getMessage().contains("expected auto, cpu or cuda:N"));
  }
}
