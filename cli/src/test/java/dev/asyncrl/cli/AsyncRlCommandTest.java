package dev.asyncrl.cli;

import dev.asyncrl.runtime.JobRunner;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(err, true));
      code = AsyncRlCommand.execute("train", config.toString());
    } finally {
      System.setErr(saved);
    }
    assertEquals(2, code);
    assertEquals("error: unknown key trainer.lrr at " + config + ":3:3 (did you mean trainer.lr?)", err.toString().strip());
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
