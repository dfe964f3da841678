package dev.asyncrl.datastore;

import static org.junit.jupiter.api.Assertions.*;

import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InMemoryTrajectoryStoreTest {

  static TrajectoryGroup group(long id) {
    Trajectory t = new Trajectory(new int[] {2}, new int[] {3, 1}, new float[] {-1, -2}, new byte[] {1, 1}, 0.5, 0, 0, 0);
    return new TrajectoryGroup(id, "t", List.of(t), 0, 0);
  }

  @Test
  void groupsPassThroughTheBinaryEncodingUnchanged() throws Exception {
    try (InMemoryTrajectoryStore store = new InMemoryTrajectoryStore(4)) {
      TrajectoryGroup sent = TrajectoryCodecTest.randomGroup(42, 8, 64, 3);
      store.append(TrajectoryCodec.decode(TrajectoryCodec.encode(sent)));
      assertEquals(sent, store.poll(Duration.ofSeconds(1)));
    }
  }

  @Test
  void deliversInArrivalOrderAndCountsConsumption() throws Exception {
    try (InMemoryTrajectoryStore store = new InMemoryTrajectoryStore(4)) {
      for (long i = 0; i < 3; i++) {
        store.append(group(i));
      }
      assertEquals(3, store.buffered());
      for (long i = 0; i < 3; i++) {
        assertEquals(i, store.poll(Duration.ofSeconds(1)).groupId());
      }
      assertNull(store.poll(Duration.ofMillis(10)));
      assertEquals(3, store.consumed());
    }
  }

  @Test
  void appendBlocksWhileFullAndResumesWhenTheTrainerReads() throws Exception {
    try (InMemoryTrajectoryStore store = new InMemoryTrajectoryStore(1)) {
      store.append(group(0));
      CountDownLatch appended = new CountDownLatch(1);
      Thread producer = new Thread(() -> {
        try {
          store.append(group(1));
          appended.countDown();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      producer.start();
      assertFalse(appended.await(100, TimeUnit.MILLISECONDS), "append must block while the store is full");
      assertEquals(0, store.poll(Duration.ofSeconds(1)).groupId());
      assertTrue(appended.await(2, TimeUnit.SECONDS));
      assertEquals(1, store.poll(Duration.ofSeconds(1)).groupId());
    }
  }
}
