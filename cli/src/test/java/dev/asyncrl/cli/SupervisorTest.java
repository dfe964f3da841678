package dev.asyncrl.cli;

import dev.asyncrl.runtime.Supervisor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real child processes (a shell that exits with the given status). */
class SupervisorTest {

  static final List<String> SHELL = List.of("sh", "-c", "exit $0");

  @Test
  void aProcessThatStopsWithAnInputErrorIsNotRestartedAndEndsTheJobWithStatus2() throws Exception {
    List<String> out = Collections.synchronizedList(new ArrayList<>());
    try (Supervisor s = new Supervisor(SHELL, 10, out::add)) {
      s.start(new Supervisor.Role("trainer", List.of("2")));
      assertEquals(2, s.awaitCompletion("trainer"));
      assertEquals(0, s.restartCount("trainer"));
    }
    assertTrue(out.get(out.size() - 1).startsWith("[launch] trainer stopped with a configuration or input error"), out.toString());
  }

  @Test
  void aCrashingProcessIsRestartedWithBackOffUntilItsRestartsRunOut() throws Exception {
    List<String> out = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    try (Supervisor s = new Supervisor(SHELL, 2, out::add)) {
      s.start(new Supervisor.Role("worker-0", List.of("1")));
      assertEquals(1, s.awaitCompletion("trainer"));
      assertEquals(3, s.restartCount("worker-0"));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(seconds >= 3.0, "restarts wait 1 s, then 2 s: took " + seconds);
    assertTrue(out.contains("[launch] worker-0 exited with status 1; restarting in 1.0 s (1 of 2)"), out.toString());
    assertTrue(out.contains("[launch] worker-0 exited with status 1; restarting in 2.0 s (2 of 2)"), out.toString());
  }

  @Test
  void backOffDoublesFromOneSecondUpToThirty() {
    assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L),
        List.of(1, 2, 3, 4, 5, 6, 50).stream().map(Supervisor::backoffMillis).toList());
  }
}
