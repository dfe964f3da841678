package dev.asyncrl.cli;

import dev.asyncrl.runtime.Supervisor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the process-level tests share: the tiny distributed job they run, and {@code asyncrl} in its own JVM. */
final class KafkaJobs {
  private KafkaJobs() {}

  /**
   * Writes {@code dir/job.yaml}: the reverse task on a 1-layer, 32-wide model, 4 groups of 4 per step over
   * Kafka, runs under {@code dir/runs}.
   *
   * @param rolloutExtra more {@code rollout} keys, e.g. {@code ", partial: true"}, or ""
   */
  static Path write(Path dir, String name, int seed, int steps, int checkpointEvery, String rolloutExtra)
      throws IOException {
    Path config = dir.resolve("job.yaml");
    Files.writeString(config, """
        name: %s
        seed: %d
        max_staleness: 2
        output_dir: %s
        model: {d_model: 32, n_layers: 1, n_heads: 2, max_seq_len: 16}
        task: {name: reverse, digits: 3}
        rollout: {workers: 1, group_size: 4, groups_per_batch: 2, max_new_tokens: 5%s}
        trainer: {steps: %d, groups_per_step: 4, lr: 1.0e-3, checkpoint_every: %d}
        datastore: {type: kafka}
        """.formatted(name, seed, dir.resolve("runs"), rolloutExtra, steps, checkpointEvery));
    return config;
  }

  /**
   * Starts {@code asyncrl ARGS} in its own JVM (with {@code jvmOptions} first); its output goes to
   * {@code output}, each line prefixed with {@code [name]}, until the process exits.
   *
   * @return the process and the thread forwarding its output (done when the output ends)
   */
  static Running start(List<String> jvmOptions, List<String> args, String name, List<String> output) throws IOException {
    List<String> cmd = new ArrayList<>(Supervisor.currentJava(AsyncRlCommand.class));
    cmd.addAll(1, jvmOptions);
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          output.add("[" + name + "] " + line);
        }
      } catch (IOException ignored) {
        // the process is gone
      }
    });
    pump.setDaemon(true);
    pump.start();
    return new Running(p, pump);
  }

  record Running(Process process, Thread output) {}
}
