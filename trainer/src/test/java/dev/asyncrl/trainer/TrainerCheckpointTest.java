package dev.asyncrl.trainer;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.asyncrl.core.config.JobConfig.ModelConfig;
import dev.asyncrl.datastore.StorePosition;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.TransformerPolicy;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerCheckpointTest {

  @TempDir Path dir;
  static final ModelConfig MC = new ModelConfig(32, 1, 2, 64, 8);

  /** One AdamW step on a fixed loss; returns the parameters afterwards, flattened. */
  static void step(TransformerPolicy policy, AdamW opt) {
    ComputeThread.inferenceOnly();
    NDArray tokens = policy.manager().create(new int[][] {{1, 2, 3, 4}});
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(policy.nextTokenLogProbs(tokens, 1.0).sum().neg());
    }
    opt.step(1e-2, 1.0);
    tokens.close();
  }

  static float[] weights(TransformerPolicy policy) {
    return policy.parameters().values().iterator().next().toFloatArray();
  }

  @Test
  void aResumedTrainerContinuesExactlyLikeOneThatNeverStopped() {
    try (TransformerPolicy a = TransformerPolicy.initialize(MC, 16, 1, Device.cpu(), DataType.FLOAT32);
         TransformerPolicy b = TransformerPolicy.initialize(MC, 16, 99, Device.cpu(), DataType.FLOAT32)) {
      a.setTrainable(true);
      b.setTrainable(true);
      AdamW optA = new AdamW(a.parameters(), 0.9, 0.999, 1e-8, 0.01);
      AdamW optB = new AdamW(b.parameters(), 0.9, 0.999, 1e-8, 0.01);
      step(a, optA);
      step(a, optA);
      StorePosition position = new StorePosition(Map.of(0, 17L, 1, 4L), 19, 2);
      Path saved = TrainerCheckpoint.save(dir, new TrainerCheckpoint.State(2, 2, optA.stepCount(), position, 3, 1), a, optA);
      assertEquals(saved, TrainerCheckpoint.latest(dir).orElseThrow());
      TrainerCheckpoint.State state = TrainerCheckpoint.load(saved, b, optB);
      assertEquals(new TrainerCheckpoint.State(2, 2, 2, position, 3, 1), state);
      assertEquals(2, optB.stepCount());
      TrainerCheckpoint.save(dir.resolve("again"), state, b, optB); // a resumed trainer checkpoints again
      for (int i = 0; i < 3; i++) { // same moments and step count: identical updates
        step(a, optA);
        step(b, optB);
        assertArrayEquals(weights(a), weights(b), 1e-6f, "step " + i);
      }
    }
  }
}
