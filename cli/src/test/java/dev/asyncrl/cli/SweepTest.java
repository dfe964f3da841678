package dev.asyncrl.cli;

import dev.asyncrl.experiments.RunResult;
import dev.asyncrl.experiments.SweepSpec;
import dev.asyncrl.experiments.SweepSummary;
import dev.asyncrl.experiments.MetricsLog;

import static org.junit.jupiter.api.Assertions.*;

import dev.asyncrl.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepTest {

  static final String BASE = """
      seed: 3
      model: {d_model: 32, n_layers: 1, n_heads: 2, max_seq_len: 12}
      task: {name: modsum}
      rollout: {workers: 1, group_size: 4, groups_per_batch: 2, max_new_tokens: 3}
      trainer: {steps: 4, groups_per_step: 2, lr: 1.0e-3}
      """;

  static Path write(Path dir, String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  @Test
  void gridIsTheCartesianProductInAxisOrderWithCommonOverridesFirst(@TempDir Path dir) throws Exception {
    write(dir, "base.yaml", BASE);
    SweepSpec spec = SweepSpec.load(write(dir, "sweeps/s.yaml", """
        base: ../base.yaml
        set: {trainer.steps: 3}
        grid:
          algorithm.name: [tis, vcpo]
          rollout.lag: [0, 8, 16]
        """));
    assertEquals(dir.resolve("base.yaml"), spec.base(), "base is relative to the sweep file");
    assertEquals("s", spec.name());
    assertEquals(6, spec.points().size());
    assertEquals("algorithm.name=tis,rollout.lag=0", spec.points().get(0).label());
    assertEquals("algorithm.name=vcpo,rollout.lag=16", spec.points().get(5).label());
    assertEquals(List.of("trainer.steps=3", "algorithm.name=tis", "rollout.lag=8"), spec.overrides(spec.points().get(1)));
  }

  @Test
  void badSweepFilesAndBadPointsAreOneLineErrors(@TempDir Path dir) throws Exception {
    write(dir, "base.yaml", BASE);
    Path noGrid = write(dir, "a.yaml", "base: base.yaml\n");
    assertEquals(noGrid + ": a sweep needs a grid section, e.g. grid: {seed: [1, 2, 3]}",
        assertThrows(ConfigException.class, () -> SweepSpec.load(noGrid)).getMessage());
    Path typo = write(dir, "b.yaml", "base: base.yaml\nparalel: 2\ngrid: {seed: [1]}\n");
    assertEquals("unknown key paralel at " + typo + ":2:1 (did you mean parallel?)",
        assertThrows(ConfigException.class, () -> SweepSpec.load(typo)).getMessage());
    Path badPoint = write(dir, "c.yaml", "base: base.yaml\ngrid: {algorithm.name: [grpo, vcpoo]}\n");
    SweepSpec spec = SweepSpec.load(badPoint);
    String msg = assertThrows(ConfigException.class, () -> SweepCommand.validate(spec)).getMessage();
    assertTrue(msg.startsWith(badPoint + ", run algorithm.name=vcpoo: algorithm.name at --set algorithm.name=vcpoo: "
        + "unknown algorithm 'vcpoo' (did you mean vcpo?)"), msg);
  }

  @Test
  void runResultReadsFinalRewardTargetStepAndMinimumEss() {
    List<Map<String, Double>> steps = new ArrayList<>();
    double[] reward = {0.1, 0.5, 0.9, 1.0, 0.8};
    double[] ess = {1, 0.4, 0.7, 0.9, 1};
    for (int i = 0; i < reward.length; i++) {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("rollout/reward_mean", reward[i]);
      m.put("is/ess_ratio", ess[i]);
      m.put("time/elapsed_s", i + 1.0);
      steps.add(m);
    }
    RunResult r = RunResult.of(steps, 0.9, 2);
    assertEquals(5, r.steps());
    assertEquals(0.9, r.finalReward(), 1e-12, "mean of the last 2 steps");
    assertEquals(4, r.stepsToTarget(), "the 2-step mean first reaches 0.9 at step 4 (0.9 + 1.0)");
    assertEquals(0.4, r.minEssRatio());
    assertEquals(5.0, r.wallSeconds());
    assertEquals(-1, RunResult.of(steps, 0.99, 2).stepsToTarget());
  }

  @Test
  void markdownGroupsSeedsIntoMeanAndSampleStd() {
    SweepSpec.Point a1 = new SweepSpec.Point(new LinkedHashMap<>(Map.of("seed", "1")));
    List<SweepSummary.Row> rows = List.of(
        new SweepSummary.Row(point("tis", "1"), new RunResult(10, 0.2, -1, 0.1, 5)),
        new SweepSummary.Row(point("tis", "2"), new RunResult(10, 0.4, 8, 0.3, 7)),
        new SweepSummary.Row(point("vcpo", "1"), new RunResult(10, 0.9, 6, 0.5, 9)));
    String md = SweepSummary.markdown(rows, 0.9, 5);
    assertTrue(md.contains("| algorithm.name=tis | 2 | 0.300 ± 0.141 | 8 (1 of 2) | 0.200 | 6 s |"), md);
    assertTrue(md.contains("| algorithm.name=vcpo | 1 | 0.900 ± 0.000 | 6 (1 of 1) | 0.500 | 9 s |"), md);
    assertEquals("algorithm.name,seed,steps,final_reward,steps_to_target,min_ess_ratio,wall_s\n"
        + "tis,1,10,0.2000,-1,0.1000,5.0\n", SweepSummary.csv(rows.subList(0, 1)));
    assertEquals(Map.of(), a1.configuration());
  }

  static SweepSpec.Point point(String algorithm, String seed) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("algorithm.name", algorithm);
    m.put("seed", seed);
    return new SweepSpec.Point(m);
  }

  @Test
  void sweepWritesSummaryAndPlotsAndResumesWithoutRetrainingFinishedRuns(@TempDir Path dir) throws Exception {
    write(dir, "base.yaml", BASE);
    Path file = write(dir, "s.yaml", "base: base.yaml\noutput_dir: " + dir.resolve("out") + "\nfinal_window: 2\n"
        + "grid:\n  algorithm.name: [grpo, vcpo]\n  seed: [1, 2]\n");
    assertEquals(0, AsyncRlCommand.execute("sweep", file.toString()));
    Path out = dir.resolve("out/s");
    for (String f : List.of("summary.csv", "summary.md", "plots/rollout_reward_mean.png", "plots/is_ess_ratio.png",
        "algorithm.name=vcpo,seed=2/metrics.jsonl", "algorithm.name=vcpo,seed=2/result.json")) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    assertEquals(5, Files.readAllLines(out.resolve("summary.csv")).size(), "header + 4 runs");
    assertTrue(Files.readString(out.resolve("summary.md")).contains("| algorithm.name=vcpo | 2 |"));

    // Resume: a finished run is kept as is; a run killed before its first checkpoint is trained again.
    Path finished = out.resolve("algorithm.name=grpo,seed=1/result.json");
    Files.setLastModifiedTime(finished, FileTime.fromMillis(1_000));
    Path interrupted = out.resolve("algorithm.name=vcpo,seed=1");
    Files.delete(interrupted.resolve("result.json"));
    Files.writeString(interrupted.resolve("metrics.jsonl"), "{\"step\": 1}\n");
    dev.asyncrl.runtime.JobRunner.clear(interrupted.resolve("checkpoints"));
    assertEquals(0, AsyncRlCommand.execute("sweep", file.toString()));
    assertEquals(FileTime.fromMillis(1_000), Files.getLastModifiedTime(finished));
    assertTrue(Files.isRegularFile(interrupted.resolve("result.json")));
    assertEquals(4, MetricsLog.read(interrupted.resolve("metrics.jsonl")).size(), "retrained from scratch, 4 steps");
  }
}
