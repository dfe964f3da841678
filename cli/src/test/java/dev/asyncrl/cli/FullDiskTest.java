package dev.asyncrl.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: the run folder on a 384 KiB tmpfs, which holds the config and metrics but not the
 * checkpoint. The error names the checkpoint and the system's reason, and no temporary folder is left.
 * Needs permission to mount (root in a container that allows it); skipped otherwise.
 */
class FullDiskTest {

  @TempDir Path dir;

  static boolean run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor() == 0;
  }

  @Test
  void aFullDiskWhileCheckpointingIsReportedAsSuchAndLeavesNoTemporaryFolder() throws Exception {
    Path disk = Files.createDirectories(dir.resolve("disk"));
    assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=384k", "tmpfs", disk.toString()), "cannot mount a tmpfs here");
    try {
      Path job = dir.resolve("job.yaml");
      Files.writeString(job, """
          name: full
          output_dir: %s
          model: {d_model: 64, n_layers: 2, n_heads: 4, max_seq_len: 16}
          task: {name: reverse, digits: 3}
          rollout: {workers: 1, group_size: 4, max_new_tokens: 5}
          trainer: {steps: 3, groups_per_step: 2}
          """.formatted(disk));
      Console.Outcome o = Console.asyncrl("train", job.toString());
      assertEquals(1, o.code(), o.out() + o.err());
      List<String> errors = o.err().lines().filter(l -> l.startsWith("error: ")).toList();
      assertEquals(1, errors.size(), o.err());
      assertTrue(errors.get(0).matches("error: cannot write checkpoint " + disk + "/full/checkpoints/step-3: .*"
          + "No space left on device.*"), errors.get(0));
      try (Stream<Path> files = Files.walk(disk)) {
        List<Path> temporary = files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        assertEquals(List.of(), temporary);
      }
    } finally {
      run("umount", disk.toString());
    }
  }
}
