package dev.asyncrl.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code defaults:} composes a job config from other files, each value keeping where it came from. */
class ConfigCompositionTest {

  @TempDir
  Path dir;

  private JobConfig load(Path file) {
    return JobConfig.from(JobConfigTest.SCHEMA.resolve(ConfigSource.fromFile(file)));
  }

  @Test
  void laterFilesOverrideEarlierOnesAndTheFileItselfOverridesItsDefaults() throws Exception {
    Files.createDirectories(dir.resolve("base"));
    Files.writeString(dir.resolve("base/model.yaml"), "model: {d_model: 128, n_layers: 3}\ntrainer: {lr: 1.0e-3}\n");
    Files.writeString(dir.resolve("base/long.yaml"), "trainer: {steps: 900, lr: 2.0e-3}\n");
    Files.writeString(dir.resolve("job.yaml"), "defaults: [base/model.yaml, base/long.yaml]\ntrainer: {steps: 50}\n");
    JobConfig job = load(dir.resolve("job.yaml"));
    assertEquals(128, job.get(JobSchema.D_MODEL));
    assertEquals(3, job.get(JobSchema.N_LAYERS));
    assertEquals(2.0e-3, job.get(JobSchema.LR), "the later default wins");
    assertEquals(50, job.get(JobSchema.STEPS), "the file itself wins");
    // A single default, and a default that has defaults of its own, relative to its own folder.
    Files.writeString(dir.resolve("base/nested.yaml"), "defaults: model.yaml\nmodel: {n_layers: 5}\n");
    Files.writeString(dir.resolve("one.yaml"), "defaults: base/nested.yaml\n");
    JobConfig one = load(dir.resolve("one.yaml"));
    assertEquals(128, one.get(JobSchema.D_MODEL));
    assertEquals(5, one.get(JobSchema.N_LAYERS));
  }

  @Test
  void anErrorNamesTheFileAndLineTheValueCameFrom() throws Exception {
    Files.writeString(dir.resolve("base.yaml"), "seed: 1\ntrainer:\n  lr: -1\n");
    Files.writeString(dir.resolve("job.yaml"), "defaults: base.yaml\n");
    String message = assertThrows(ConfigException.class, () -> load(dir.resolve("job.yaml"))).getMessage();
    assertTrue(message.startsWith("trainer.lr at " + dir.resolve("base.yaml") + ":3:3:"), message);
  }

  @Test
  void aMissingDefaultAndACycleAreOneLineErrors() throws Exception {
    Files.writeString(dir.resolve("job.yaml"), "defaults: [nope.yaml]\n");
    String missing = assertThrows(ConfigException.class, () -> load(dir.resolve("job.yaml"))).getMessage();
    assertTrue(missing.startsWith("defaults at " + dir.resolve("job.yaml") + ":1:1: ") && missing.contains("nope.yaml"),
        missing);
    Files.writeString(dir.resolve("a.yaml"), "defaults: b.yaml\n");
    Files.writeString(dir.resolve("b.yaml"), "defaults: a.yaml\n");
    String cycle = assertThrows(ConfigException.class, () -> load(dir.resolve("a.yaml"))).getMessage();
    assertTrue(cycle.contains("a.yaml -> b.yaml -> a.yaml"), cycle);
  }
}
