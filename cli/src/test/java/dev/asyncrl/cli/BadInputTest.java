package dev.asyncrl.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad input is one line on stderr that names what was wrong and where, exit status 2, and leaves no run
 * folder behind.
 */
class BadInputTest {

  @TempDir static Path dir;
  static Path job;
  static Path out;

  @BeforeEach
  void files() throws Exception {
    out = dir.resolve("out");
    job = dir.resolve("job.yaml");
    Files.writeString(job, """
        name: bad
        output_dir: %s
        model: {d_model: 32, n_layers: 1, n_heads: 2, max_seq_len: 16}
        task: {name: reverse, digits: 3}
        rollout: {workers: 1, group_size: 4, max_new_tokens: 5}
        trainer: {steps: 2, groups_per_step: 2}
        """.formatted(out));
    Files.writeString(dir.resolve("empty.yaml"), "");
    Files.writeString(dir.resolve("comments.yaml"), "# nothing here\n# at all\n");
    Files.writeString(dir.resolve("two.yaml"), "name: a\n---\nname: b\n");
    Files.writeString(dir.resolve("a-file"), "x");
    Files.createDirectories(dir.resolve("a-folder"));
  }

  /** {@code args} with {@code %J} (the job file) and {@code %D} (the test folder); the expected start of the error line. */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("train %J --set model.d_model=2e9", "model.d_model at --set model.d_model=2e9: expected an integer"),
        Arguments.of("train %J --set model.max_seq_len=2e9", "model.max_seq_len at --set model.max_seq_len=2e9: expected an integer"),
        Arguments.of("train %J --set model.max_seq_len=3000000", "model.max_seq_len at --set model.max_seq_len=3000000: must be between 1 and 1048576"),
        Arguments.of("train %J --set model.d_model=60000", "model.d_model at --set model.d_model=60000: the weight blocks.0.mlp.fc.weight (240000, 60000) would have"),
        Arguments.of("train %J --set model.d_model=8192 --set model.n_layers=400", "model.d_model at --set model.d_model=8192: the model has"),
        Arguments.of("train %J --set rollout.group_size=1e9", "rollout.group_size at --set rollout.group_size=1e9: expected an integer"),
        Arguments.of("train %J --set rollout.group_size=1000000000", "rollout.group_size at --set rollout.group_size=1000000000: must be between 1 and 4096"),
        Arguments.of("train %J --set datastore.capacity=2147483647", "datastore.capacity at --set datastore.capacity=2147483647: must be between 1 and 1000000"),
        Arguments.of("train %J --set output_dir=%D/a-file", "output_dir at --set output_dir=%D/a-file: %D/a-file is a file, not a folder"),
        Arguments.of("train %J --set output_dir=%D/a-file/runs", "output_dir at --set output_dir=%D/a-file/runs: %D/a-file is a file, not a folder"),
        Arguments.of("train %J --set task.name=math --set task.data=%D/a-folder", "task.data at --set task.data=%D/a-folder: %D/a-folder: is a folder, not a JSONL file"),
        Arguments.of("train %J --set model.rollout_dtype=bfloat16", "model.rollout_dtype at --set model.rollout_dtype=bfloat16: must not be bfloat16"),
        Arguments.of("train %J --set model.dtype=float64", "model.dtype at --set model.dtype=float64: expected one of float32, float16, bfloat16"),
        Arguments.of("train %J --set devices.trainer=tpu", "devices.trainer at --set devices.trainer=tpu: must be auto, cpu or cuda:N"),
        Arguments.of("train %J --set devices.rollout=cuda:7", "devices.rollout at --set devices.rollout=cuda:7: 'cuda:7' names GPU 7 but"),
        Arguments.of("train %D/empty.yaml", "%D/empty.yaml: the file has no keys (empty or only comments)"),
        Arguments.of("train %D/comments.yaml", "%D/comments.yaml: the file has no keys (empty or only comments)"),
        Arguments.of("train %D/two.yaml", "%D/two.yaml:3:1: a second YAML document"),
        Arguments.of("train %J --set name=../../escaped", "name at --set name=../../escaped: must be a folder name"),
        Arguments.of("train %J --set name=a/b", "name at --set name=a/b: must be a folder name"),
        Arguments.of("launch %J --set name=", "name at --set name=: must be a folder name"),
        Arguments.of("launch %J --workers 0", "--workers must be between 1 and 1024, got 0"),
        Arguments.of("launch %J --workers -1", "--workers must be between 1 and 1024, got -1"),
        Arguments.of("launch %J --target foo", "Invalid value for option '--target'"),
        Arguments.of("launch %J --target slurm", "--target slurm needs --out DIR"),
        Arguments.of("launch %J --max-restarts -1", "--max-restarts must be >= 0, got -1"),
        Arguments.of("launch %J --set datastore.bootstrap=127.0.0.1:9 --set datastore.connect_timeout_s=2",
            "datastore.bootstrap at --set datastore.bootstrap=127.0.0.1:9: cannot reach Kafka at 127.0.0.1:9 within 2 s"),
        Arguments.of("trainer %J", "datastore.type at default: separate rollout-worker processes need datastore.type: kafka"),
        Arguments.of("rollout-worker %J", "datastore.type at default: a rollout-worker process needs datastore.type: kafka"),
        Arguments.of("train %J --resume --fresh", "--resume, --fresh are mutually exclusive"),
        Arguments.of("report %D/a-folder", "%D/a-folder: not a run folder with metrics (it has no metrics.jsonl)"),
        Arguments.of("export %D/a-folder", "%D/a-folder: not a run folder (it has no config.yaml)"),
        Arguments.of("export %D/a-folder --dtype int8", "Invalid value for option '--dtype'"),
        Arguments.of("(no arguments)", "a command is required"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isOneLineExitTwoAndLeavesNothingBehind(String args, String expected) throws Exception {
    List<String> argv = new ArrayList<>();
    for (String a : args.equals("(no arguments)") ? new String[0] : args.split(" ")) {
      argv.add(a.replace("%J", job.toString()).replace("%D", dir.toString()));
    }
    Console.Outcome o = Console.asyncrl(argv.toArray(String[]::new));
    String err = o.err().strip();
    assertEquals(2, o.code(), () -> "stdout:\n" + o.out() + "\nstderr:\n" + o.err());
    assertEquals(1, err.lines().count(), () -> "one line expected:\n" + err);
    String want = "error: " + expected.replace("%J", job.toString()).replace("%D", dir.toString());
    assertTrue(err.startsWith(want), () -> "expected to start with\n" + want + "\nbut was\n" + err);
    assertFalse(Files.exists(out), "a failed start must not leave " + out);
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : List.of("train", "launch", "trainer", "rollout-worker", "sweep", "export", "config-reference")) {
      Console.Outcome o = Console.asyncrl(command, "--help");
      assertEquals(0, o.code(), command + ": " + o.err());
      assertTrue(o.out().startsWith("Usage: asyncrl " + command), command + ": " + o.out());
    }
  }
}
