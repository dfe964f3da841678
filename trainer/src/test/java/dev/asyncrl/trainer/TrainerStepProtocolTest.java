package dev.asyncrl.trainer;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.algorithms.AlgorithmRegistry;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.model.GptShape;
import dev.asyncrl.datastore.InMemoryTrajectoryStore;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.TransformerPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The order of a step's report, checkpoint and commit, and the stop on a run that cannot learn. */
class TrainerStepProtocolTest {

  @TempDir Path dir;

  static final GptShape MC = new GptShape(32, 1, 2, 64, 8);

  /** Groups of two responses with different rewards, all from version 0 (max_staleness is set high). */
  static InMemoryTrajectoryStore filledStore(int groups) throws InterruptedException {
    InMemoryTrajectoryStore store = new InMemoryTrajectoryStore(groups);
    for (int g = 0; g < groups; g++) {
      List<Trajectory> ts = List.of(
          new Trajectory(new int[] {1, 2}, new int[] {3, 4}, new float[] {-1f, -1f}, new byte[] {1, 1}, 1, 0, 0, 0),
          new Trajectory(new int[] {1, 2}, new int[] {4, 3}, new float[] {-1f, -1f}, new byte[] {1, 1}, 0, 0, 0, 0));
      store.append(new TrajectoryGroup(g, "t", ts, 0, 0));
    }
    return store;
  }

  static Trainer trainer(TransformerPolicy policy, InMemoryTrajectoryStore store, int steps, Path checkpoints,
      int checkpointEvery, int maxNonfinite, List<String> events) {
    policy.setTrainable(true);
    WeightChannel<PolicyWeights> channel = new WeightChannel<>(2, PolicyWeights::close);
    Trainer trainer = new Trainer(new Trainer.Options(steps, 2, 1, 1, 0, 1000, 1.0, 2,
        dev.asyncrl.core.HorizonSchedule.fixed(1), new LearningRateSchedule(1e-3, 0, steps, false), 1.0, checkpointEvery, checkpoints, maxNonfinite), policy, null,
        new AdamW(policy.parameters(), 0.9, 0.999, 1e-8, 0), AlgorithmRegistry.builtIn().fromYaml("{name: grpo}"),
        store, new InProcessPublisher(channel, new StalenessGate(1000, 2)), RolloutMonitor.NONE,
        r -> events.add("report " + r.step()));
    trainer.drill((instant, step) -> events.add(instant + " " + step));
    return trainer;
  }

  @Test
  void aStepIsReportedBeforeTheCheckpointThatCoversItIsWrittenAndCommitted() throws Exception {
    ComputeThread.inferenceOnly();
    List<String> events = new ArrayList<>();
    try (TransformerPolicy policy = TransformerPolicy.initialize(MC, 16, 1, Device.cpu(), DataType.FLOAT32);
         InMemoryTrajectoryStore store = filledStore(6)) {
      Trainer trainer = trainer(policy, store, 3, dir, 2, 10, events);
      trainer.publishInitial();
      trainer.run();
    }
    assertEquals(List.of(
        "report 1", "RECORDED 1",
        "report 2", "RECORDED 2", "CHECKPOINT_WRITTEN 2", "CHECKPOINTED 2", "COMMITTED 2",
        "report 3", "RECORDED 3", "CHECKPOINT_WRITTEN 3", "CHECKPOINTED 3", "COMMITTED 3"), events);
  }

  @Test
  void aRunWhoseLossStaysNonFiniteStopsWithAnErrorNamingTheSetting() throws Exception {
    ComputeThread.inferenceOnly();
    List<String> events = new ArrayList<>();
    try (TransformerPolicy policy = TransformerPolicy.initialize(MC, 16, 1, Device.cpu(), DataType.FLOAT32);
         InMemoryTrajectoryStore store = filledStore(20)) {
      policy.parameters().values().iterator().next().muli(Float.NaN); // weights as a corrupted checkpoint leaves them
      Trainer trainer = trainer(policy, store, 10, null, 0, 3, events);
      trainer.publishInitial();
      TrainingDivergedException e = assertThrows(TrainingDivergedException.class, trainer::run);
      assertTrue(e.getMessage().startsWith("the loss or gradient was not finite for 3 consecutive steps "
          + "(trainer.max_nonfinite_steps = 3), the last at step 3"), e.getMessage());
      assertEquals(List.of("report 1", "RECORDED 1", "report 2", "RECORDED 2", "report 3", "RECORDED 3"), events);
    }
  }
}
