package dev.asyncrl.gpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.training.GradientCollector;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AutogradTest {

  /** DJL throws when a second collector opens in the process; trainers sharing a process must take turns instead. */
  @Test
  void aSecondCollectorWaitsForTheFirstInsteadOfFailing() throws Exception {
    CountDownLatch secondOpen = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread second;
    try (GradientCollector first = Autograd.collector()) {
      second = new Thread(() -> {
        try (GradientCollector gc = Autograd.collector()) {
          secondOpen.countDown();
        } catch (Throwable e) {
          failure.set(e);
        }
      });
      second.start();
      assertFalse(secondOpen.await(300, TimeUnit.MILLISECONDS), "the second collector opened while the first was open");
    }
    assertTrue(secondOpen.await(10, TimeUnit.SECONDS), "the second collector never opened");
    second.join(10_000);
    assertNull(failure.get());
  }
}
