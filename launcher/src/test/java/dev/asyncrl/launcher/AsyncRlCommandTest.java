package dev.asyncrl.launcher;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
        () -> LocalRun.train(dev.asyncrl.core.config.JobConfig.load(config, java.util.List.of()), null, r -> {}, l -> {}));
    assertEquals("algorithm.name at " + config + ":2:3: unknown algorithm 'ppo2'; known: grpo", e.getMessage());
  }
}
