package dev.asyncrl.datastore;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class StalenessGateTest {

  @Test
  void admitsExactlyEtaPlusOneStepsOfGroupsAheadOfTheTrainer() {
    StalenessGate gate = new StalenessGate(1, 3); // (η + v + 1)·B = 6 at v = 0
    int admitted = 0;
    while (gate.tryAcquire()) {
      admitted++;
    }
    assertEquals(6, admitted);
    gate.accepted();
    assertFalse(gate.tryAcquire(), "finished groups still count until the trainer moves on");
    gate.published(1);
    assertEquals(3, count(gate), "one more step of groups after each publish");
  }

  @Test
  void synchronousGateAdmitsOneBatchPerVersion() {
    StalenessGate gate = new StalenessGate(0, 2);
    assertEquals(2, count(gate));
    gate.published(1);
    assertEquals(2, count(gate));
  }

  @Test
  void droppedAndAbandonedGroupsFreeTheirSlots() {
    StalenessGate gate = new StalenessGate(0, 2);
    assertEquals(2, count(gate));
    gate.abandoned();
    assertTrue(gate.tryAcquire());
    gate.accepted();
    gate.dropped(1);
    assertTrue(gate.tryAcquire(), "a stale drop must not starve the trainer");
  }

  @Test
  void closingWakesBlockedWorkers() throws Exception {
    StalenessGate gate = new StalenessGate(0, 1);
    assertTrue(gate.acquire());
    boolean[] result = {true};
    Thread t = new Thread(() -> {
      try {
        result[0] = gate.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    t.start();
    Thread.sleep(50);
    gate.close();
    t.join(2000);
    assertFalse(t.isAlive());
    assertFalse(result[0]);
  }

  private static int count(StalenessGate gate) {
    int n = 0;
    while (gate.tryAcquire()) {
      n++;
    }
    return n;
  }
}
