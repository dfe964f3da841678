package dev.asyncrl.core.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {

  /** Two algorithm variants standing in for the registry (module algorithms), which core cannot see. */
  static final Setting<Double> CLIP = Setting.number("algorithm.clip", 0.2, "clip").check(v -> v > 0, "must be > 0");
  static final Setting<Double> CAP = Setting.number("algorithm.cap", 8.0, "cap");
  static final ConfigSchema SCHEMA = JobSchema.with(List.of(
      new Variant("grpo", "the default", List.of(CLIP)),
      new Variant("vcpo", "another", List.of(CAP, Setting.string("algorithm.rule", "sqrt", "rule")))));

  static JobConfig parse(String yaml, String... overrides) {
    ConfigSource s = ConfigSource.fromString(yaml, "job.yaml");
    for (String o : overrides) {
      s.override(o);
    }
    return JobConfig.from(SCHEMA.resolve(s));
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
    assertEquals(0, j.get(JobSchema.MAX_STALENESS));
    assertEquals(3e-4, j.get(JobSchema.LR));
    assertEquals(7, j.get(JobSchema.STEPS));
    assertEquals(8, j.get(JobSchema.GROUPS_PER_STEP));
    assertEquals(256, j.dFf(), "d_ff 0 means 4 x d_model");
  }

  @Test
  void overridesReplaceFileValues() {
    JobConfig j = parse("trainer: {lr: 0.1}\n", "trainer.lr=3e-4", "rollout.workers=5");
    assertEquals(3e-4, j.get(JobSchema.LR));
    assertEquals(5, j.get(JobSchema.WORKERS));
  }

  @Test
  void anOverrideWrittenAsAFlowListIsAList() {
    JobConfig j = parse("rollout: {max_turns: 4}\n", "rollout.max_turns=[12, 6@600]");
    assertEquals(12, j.get(JobSchema.MAX_TURNS).at(599));
    assertEquals(6, j.get(JobSchema.MAX_TURNS).at(600));
    // A text that only starts with '[' stays text, and a list where one value is expected is the key's own error.
    assertEquals("[INST] {question}", parse("seed: 1\n", "task.prompt_template=[INST] {question}").get(JobSchema.PROMPT_TEMPLATE));
    assertTrue(error("seed: 1\n", "trainer.steps=[1, 2]").startsWith("trainer.steps at --set trainer.steps=[1, 2]"),
        error("seed: 1\n", "trainer.steps=[1, 2]"));
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
    assertEquals("max_staleness at --set max_staleness=-2: must be >= 0, got '-2'", error("{}", "max_staleness=-2"));
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
    ConfigException e = assertThrows(ConfigException.class, () -> JobConfig.load(absent, List.of(), SCHEMA));
    assertEquals("config file not found: " + absent, e.getMessage());
  }

  @Test
  void resolvedYamlReadsBackToTheSameConfig(@TempDir Path dir) throws Exception {
    JobConfig j = parse("trainer: {lr: 3.0e-4}\nname: x\n", "rollout.top_p=0.9");
    Path file = dir.resolve("resolved.yaml");
    Files.writeString(file, j.resolvedYaml());
    JobConfig again = JobConfig.load(file, List.of(), SCHEMA);
    for (Setting<?> key : JobSchema.BASE) {
      assertEquals(j.get(key), again.get(key), key.path());
    }
    assertEquals(0.9, again.get(JobSchema.TOP_P));
  }

  @Test
  void theSelectorChoosesWhichParametersTheSectionAccepts() {
    JobConfig j = parse("algorithm: {name: vcpo, cap: 4}\n");
    assertEquals("vcpo", j.get(JobSchema.ALGORITHM));
    assertEquals(4.0, j.settings().get(CAP));
    assertEquals(0.2, parse("{}").settings().get(CLIP), "the default variant's defaults apply");
    assertThrows(IllegalArgumentException.class, () -> j.settings().get(CLIP), "grpo's clip is not part of a vcpo job");
    assertTrue(j.resolvedYaml().contains("algorithm:\n  name: vcpo\n  cap: 4.0\n  rule: sqrt\n"), j.resolvedYaml());
  }

  @Test
  void variantErrorsNameTheKeyTheChoiceAndItsParameters() {
    assertEquals("algorithm.name at job.yaml:1:13: unknown algorithm 'vcop' (did you mean vcpo?); known: grpo, vcpo",
        error("algorithm: {name: vcop}"));
    assertEquals("algorithm.cap at job.yaml:1:25: not a parameter of algorithm.name 'grpo' (only of vcpo); its "
        + "parameters: clip", error("algorithm: {name: grpo, cap: 2}"));
    assertEquals("algorithm.clip at job.yaml:1:25: must be > 0, got '-1'", error("algorithm: {name: grpo, clip: -1}"));
    assertEquals("algorithm.capp at --set algorithm.capp=3: unknown parameter of algorithm.name 'vcpo' (did you mean "
        + "algorithm.cap?); its parameters: cap, rule", error("algorithm: {name: vcpo}", "algorithm.capp=3"));
  }

  @Test
  void theReferenceDocumentsEveryVariant() {
    String md = SCHEMA.referenceMarkdown();
    assertTrue(md.contains("#### `algorithm.name: vcpo`\n\nanother\n"), md);
    assertTrue(md.contains("| `algorithm.cap` | a number | `8.0` | cap |"), md);
  }

  @Test
  void miniBatchesMustDivideTheStep() {
    assertEquals("trainer.mini_batches at job.yaml:1:31: must divide trainer.groups_per_step (8), got 3",
        error("trainer: {groups_per_step: 8, mini_batches: 3}"));
    assertEquals(2, parse("trainer: {groups_per_step: 8, mini_batches: 2}").get(JobSchema.MINI_BATCHES));
  }
}
