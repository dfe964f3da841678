package dev.asyncrl.trainer;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.asyncrl.core.BadInputException;
import dev.asyncrl.model.GptShape;
import dev.asyncrl.datastore.StorePosition;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.TransformerPolicy;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerCheckpointTest {

  @TempDir Path dir;
  static final GptShape MC = new GptShape(32, 1, 2, 64, 8);

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
      assertEquals(saved, TrainerCheckpoint.latestIntact(dir, w -> fail(w)).orElseThrow());
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

  /** After {@link AdamW#reset} (a supervised warm-up's end) the next updates are those of a fresh optimizer. */
  @Test
  void aResetOptimizerUpdatesLikeAFreshOne() {
    try (TransformerPolicy a = TransformerPolicy.initialize(MC, 16, 1, Device.cpu(), DataType.FLOAT32);
         TransformerPolicy b = TransformerPolicy.initialize(MC, 16, 99, Device.cpu(), DataType.FLOAT32)) {
      a.setTrainable(true);
      b.setTrainable(true);
      AdamW optA = new AdamW(a.parameters(), 0.9, 0.999, 1e-8, 0.01);
      step(a, optA);
      step(a, optA);
      optA.reset();
      assertEquals(0, optA.stepCount());
      b.loadWeights(a.copyWeights(b.manager()));
      AdamW fresh = new AdamW(b.parameters(), 0.9, 0.999, 1e-8, 0.01);
      for (int i = 0; i < 2; i++) {
        step(a, optA);
        step(b, fresh);
        assertArrayEquals(weights(b), weights(a), 1e-6f, "step " + i);
      }
    }
  }

  /** Three checkpoints; the newer two are damaged in turn. Resume picks the newest intact one and names the others. */
  @Test
  void aDamagedCheckpointIsSkippedWithAWarningNamingItAndWhy() throws Exception {
    try (TransformerPolicy a = TransformerPolicy.initialize(MC, 16, 1, Device.cpu(), DataType.FLOAT32)) {
      a.setTrainable(true);
      AdamW opt = new AdamW(a.parameters(), 0.9, 0.999, 1e-8, 0.01);
      for (int s = 1; s <= 3; s++) {
        TrainerCheckpoint.save(dir, new TrainerCheckpoint.State(s, s, s, StorePosition.START, 0, 0), a, opt);
      }
      java.util.List<String> warnings = new java.util.ArrayList<>();
      assertEquals(dir.resolve("step-3"), TrainerCheckpoint.latestIntact(dir, warnings::add).orElseThrow());
      assertEquals(java.util.List.of(), warnings);

      // One flipped bit in the middle of the policy tensors.
      Path policy = dir.resolve("step-3/policy.safetensors");
      byte[] bytes = java.nio.file.Files.readAllBytes(policy);
      bytes[bytes.length / 2] ^= 0x10;
      java.nio.file.Files.write(policy, bytes);
      assertEquals(dir.resolve("step-2"), TrainerCheckpoint.latestIntact(dir, warnings::add).orElseThrow());
      assertEquals(java.util.List.of("warning: checkpoint " + dir.resolve("step-3") + " is damaged: policy.safetensors "
          + "does not match its SHA-256 in the manifest; trying an older one"), warnings);

      // Truncated optimizer state.
      Path optimizer = dir.resolve("step-2/optimizer.safetensors");
      byte[] full = java.nio.file.Files.readAllBytes(optimizer);
      java.nio.file.Files.write(optimizer, java.util.Arrays.copyOf(full, full.length - 40));
      warnings.clear();
      assertEquals(dir.resolve("step-1"), TrainerCheckpoint.latestIntact(dir, warnings::add).orElseThrow());
      assertEquals(2, warnings.size());
      assertTrue(warnings.get(1).contains("step-2 is damaged: optimizer.safetensors has " + (full.length - 40)
          + " bytes, the manifest says " + full.length), warnings.get(1));

      // A checkpoint without a manifest (written before manifests, or cut short) is not trusted either.
      java.nio.file.Files.delete(dir.resolve("step-1/manifest.json"));
      BadInputException none = assertThrows(BadInputException.class, () -> TrainerCheckpoint.latestIntact(dir, w -> {}));
      assertTrue(none.getMessage().startsWith("no intact checkpoint in " + dir + ": step-3 (policy.safetensors does not "
          + "match its SHA-256 in the manifest), step-2 (optimizer.safetensors has"), none.getMessage());
      assertTrue(none.getMessage().contains("step-1 (no manifest.json)"), none.getMessage());
    }
  }

  @Test
  void stateFieldsAreValidated() throws Exception {
    Path file = dir.resolve("state.json");
    String valid = "{\"step\": 4, \"policy_version\": 4, \"optimizer_steps\": 4, \"store_consumed\": 32, "
        + "\"store_offsets\": {\"0\": 40}, \"dropped_total\": 1}";
    java.nio.file.Files.writeString(file, valid);
    assertEquals(4, TrainerCheckpoint.readState(file).step());
    for (String[] bad : new String[][] {
        {"\"step\": 4", "\"step\": -7", "'step' is -7, must be >= 1"},
        {"\"step\": 4", "\"step\": 4.5", "'step' is missing or not a whole number"},
        {"\"store_consumed\": 32", "\"store_consumed\": -1", "'store_consumed' is -1, must be >= 0"},
        {"\"0\": 40", "\"0\": -3", "'store_offsets' entry 0: -3 is not a partition and a non-negative offset"},
        {"\"policy_version\": 4, ", "", "'policy_version' is missing or not a whole number"}}) {
      java.nio.file.Files.writeString(file, valid.replace(bad[0], bad[1]));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainerCheckpoint.readState(file));
      assertEquals(file + ": " + bad[2], e.getMessage());
    }
  }

  @Test
  void aFailedWriteLeavesNoTemporaryFolderAndNamesTheCause() throws Exception {
    try (TransformerPolicy a = TransformerPolicy.initialize(MC, 16, 1, Device.cpu(), DataType.FLOAT32)) {
      AdamW opt = new AdamW(a.parameters(), 0.9, 0.999, 1e-8, 0.01);
      RuntimeException e = assertThrows(RuntimeException.class, () -> TrainerCheckpoint.save(dir,
          new TrainerCheckpoint.State(1, 1, 0, StorePosition.START, 0, 0), a, opt, () -> {
            throw new java.io.UncheckedIOException(new java.io.IOException(dir + "/x: No space left on device"));
          }));
      assertEquals("cannot write checkpoint " + dir.resolve("step-1") + ": " + dir + "/x: No space left on device",
          e.getMessage());
      try (var left = java.nio.file.Files.list(dir)) {
        assertEquals(0, left.count());
      }
    }
  }
}
