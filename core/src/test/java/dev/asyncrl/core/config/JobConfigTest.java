package dev.asyncrl.core.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {

  static JobConfig parse(String yaml, String... overrides) {
    ConfigSource s = ConfigSource.fromString(yaml, "job.yaml");
    for (String o : overrides) {
      s.override(o);
    }
    return JobConfig.from(JobSchema.SCHEMA.resolve(s));
  }

  static String error(String yaml, String... overrides) {
    return assertThrows(ConfigException.class, () -> parse(yaml, overrides)).getMessage();
  }

  @Test
  void valuesFromYamlAndDefaultsFillTheRecords() {
    JobConfig j = parse("""
        max_staleness: 0
        trainer:
          lr: 3.0e-4
          steps: 7
        """);
    assertEquals(0, j.maxStaleness());
    assertEquals(3e-4, j.trainer().lr());
    assertEquals(7, j.trainer().steps());
    assertEquals(8, j.trainer().groupsPerStep());
    assertEquals(256, j.model().dFf(), "d_ff 0 means 4 x d_model");
  }

  @Test
  void overridesReplaceFileValues() {
    JobConfig j = parse("trainer: {lr: 0.1}\n", "trainer.lr=3e-4", "rollout.workers=5");
    assertEquals(3e-4, j.trainer().lr());
    assertEquals(5, j.rollout().workers());
  }

  @Test
  void unknownKeyIsNamedWithItsLineAndASuggestion() {
    String msg = error("""
        trainer:
          steps: 5
          lrr: 0.1
        """);
    assertEquals("unknown key trainer.lrr at job.yaml:3:3 (did you mean trainer.lr?)", msg);
  }

  @Test
  void wrongTypeNamesKeyLineAndValue() {
    assertEquals("trainer.lr at job.yaml:2:3: expected a number, got 'fast'", error("""
        trainer:
          lr: fast
        """));
    assertEquals("rollout.workers at job.yaml:1:11: expected an integer, got '2.5'", error("rollout: {workers: 2.5}"));
  }

  @Test
  void outOfRangeNamesTheRequirement() {
    assertEquals("trainer.lr at job.yaml:1:11: must be > 0, got '-1'", error("trainer: {lr: -1}"));
    assertEquals("max_staleness at --set max_staleness=-2: must be >= 0, got '-2'", error("", "max_staleness=-2"));
    assertEquals("task.name at job.yaml:1:8: must be one of reverse, modsum, addition, got 'chess'", error("task: {name: chess}"));
  }

  @Test
  void crossKeyProblemsNameTheKeyAndLine() {
    assertEquals("model.n_heads at job.yaml:1:22: must divide model.d_model (64), got 5",
        error("model: {d_model: 64, n_heads: 5}"));
  }

  @Test
  void sectionsAndLeavesCannotBeSwapped() {
    assertEquals("trainer at job.yaml:1:1: is a section; set keys under it, e.g. trainer.steps", error("trainer: 5"));
    assertEquals("trainer.lr at job.yaml:1:11: expected a number, got a mapping", error("trainer: {lr: {x: 1}}"));
  }

  @Test
  void duplicateKeysAndBrokenYamlAreRejectedWithTheirLine() {
    String dup = error("""
        seed: 1
        seed: 2
        """);
    assertTrue(dup.startsWith("job.yaml:2:") && dup.contains("Duplicate field 'seed'"), dup);
    String broken = error("trainer: {lr: 0.1\nseed: [");
    assertTrue(broken.startsWith("job.yaml:") && broken.contains("invalid YAML"), broken);
  }

  @Test
  void missingRequiredKeyIsNamed() {
    ConfigSchema schema = new ConfigSchema(List.of(Setting.required("model.path", ValueType.STRING, "model folder")));
    ConfigException e = assertThrows(ConfigException.class,
        () -> schema.resolve(ConfigSource.fromString("{}", "job.yaml")));
    assertEquals("missing required key model.path (model folder)", e.getMessage());
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    Path absent = dir.resolve("nope.yaml");
    ConfigException e = assertThrows(ConfigException.class, () -> JobConfig.load(absent, List.of()));
    assertEquals("config file not found: " + absent, e.getMessage());
  }

  @Test
  void resolvedYamlReadsBackToTheSameConfig(@TempDir Path dir) throws Exception {
    JobConfig j = parse("trainer: {lr: 3.0e-4}\nname: x\n", "rollout.top_p=0.9");
    Path file = dir.resolve("resolved.yaml");
    Files.writeString(file, j.resolvedYaml());
    JobConfig again = JobConfig.load(file, List.of());
    assertEquals(j.trainer(), again.trainer());
    assertEquals(j.rollout(), again.rollout());
    assertEquals(j.model(), again.model());
    assertEquals(j.algorithm(), again.algorithm());
  }

  @Test
  void everyShippedConfigIsValid() throws Exception {
    Path configs = Path.of(System.getProperty("user.dir")).getParent().resolve("configs");
    try (var files = Files.list(configs)) {
      List<Path> yamls = files.filter(p -> p.toString().endsWith(".yaml")).toList();
      assertFalse(yamls.isEmpty());
      for (Path p : yamls) {
        assertDoesNotThrow(() -> JobConfig.load(p, List.of()), p.toString());
      }
    }
  }

  @Test
  void configurationReferenceInTheDocsIsCurrent() throws Exception {
    Path doc = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/configuration.md");
    String text = Files.readString(doc);
    assertTrue(text.contains(JobSchema.SCHEMA.referenceMarkdown()),
        "docs/configuration.md is stale: regenerate it with ./asyncrl config-reference");
  }
}
