package dev.asyncrl.cli;

import dev.asyncrl.runtime.JobRunner;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AsyncRlCommandTest {

  @Test
  void badConfigIsOneLineNamingKeyAndLineWithExitCode2(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, "trainer:\n  steps: 5\n  lrr: 0.1\n");
    Console.Outcome o = Console.asyncrl("train", config.toString());
    assertEquals(2, o.code());
    assertEquals("error: unknown key trainer.lrr at " + config + ":3:3 (did you mean trainer.lr?)", o.err().strip());
  }

  @Test
  void versionNamesTheBuildAndItsCommit() {
    Console.Outcome o = Console.asyncrl("--version");
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().matches("asyncrl 0\\.\\d+\\.\\d+\\S* \\(commit ([0-9a-f]{7,}(, with uncommitted changes)?|unknown)\\)\\s*"),
        o.out());
  }

  @Test
  void unknownAlgorithmIsAConfigErrorNamingTheKey(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("algo.yaml");
    Files.writeString(config, "algorithm:\n  name: ppo2\n");
    var e = assertThrows(dev.asyncrl.core.config.ConfigException.class,
        () -> JobRunner.load(config, java.util.List.of()));
    assertEquals("algorithm.name at " + config + ":2:3: unknown algorithm 'ppo2' (did you mean ppo?); known: grpo, "
        + "dr_grpo, dapo, rloo, loop, tis, vcpo, ppo", e.getMessage());
  }

  @Test
  void everyShippedConfigIsValid() throws Exception {
    Path configs = Path.of(System.getProperty("user.dir")).getParent().resolve("configs");
    try (var files = Files.list(configs)) {
      List<Path> yamls = files.filter(p -> p.toString().endsWith(".yaml")).toList();
      assertFalse(yamls.isEmpty());
      for (Path p : yamls) {
        assertDoesNotThrow(() -> JobRunner.load(p, List.of()), p.toString());
      }
    }
  }

  @Test
  void configurationReferenceInTheDocsIsCurrent() throws Exception {
    Path doc = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/configuration.md");
    String text = Files.readString(doc);
    assertTrue(text.contains(JobRunner.ALGORITHMS.jobSchema().referenceMarkdown()),
        "docs/configuration.md is stale: regenerate it with ./asyncrl config-reference");
  }
}
