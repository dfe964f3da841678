package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.core.config.ConfigException;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.rollout.EnvironmentProvider;
import dev.asyncrl.trainer.StepReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's environment, compiled here from source into a jar in a plug-ins folder (not on the test's class
 * path), is found by name through ServiceLoader or by class name, reads its own checked parameters, trains,
 * and its exceptions are counted episode failures, not a dead run.
 */
class PluginTest {

  @TempDir
  static Path tmp;

  static Path plugins;

  /** Counts down: the prompt is a digit, the model must answer it minus one; every 13th step throws. */
  static final String SOURCE = """
      package com.acme;

      import dev.asyncrl.rollout.Environment;
      import dev.asyncrl.rollout.EnvironmentProvider;
      import dev.asyncrl.rollout.TaskParameters;
      import java.util.SplittableRandom;
      import java.util.concurrent.atomic.AtomicInteger;

      public class Countdown implements EnvironmentProvider {
        static final AtomicInteger STEPS = new AtomicInteger();
        private int top;

        public String name() { return "countdown"; }

        public void configure(TaskParameters params) { top = params.integer("top", 9, 2, 9); }

        public Environment create() {
          return new Environment() {
            int current;

            public String reset(long instance) {
              current = 1 + new SplittableRandom(instance).nextInt(top);
              return current + "=";
            }

            public Step step(Action action) {
              if (STEPS.incrementAndGet() % 13 == 0) {
                throw new IllegalStateException("the countdown server is down");
              }
              if (action.text().equals(String.valueOf(current - 1))) {
                return Step.end(1);
              }
              return Step.next(current + "=");
            }
          };
        }
      }
      """;

  @BeforeAll
  static void buildPlugin() throws Exception {
    plugins = tmp.resolve("plugins");
    PluginJars.build(tmp, plugins, "countdown.jar", "com.acme.Countdown", SOURCE, EnvironmentProvider.class);
  }

  static JobConfig job(String task, String... overrides) {
    return TestJobs.read("""
        seed: 2
        model: {d_model: 32, n_layers: 1, n_heads: 2, max_seq_len: 16}
        task:
          %s
          plugins: %s
          params:
            top: 5
        rollout: {workers: 1, group_size: 4, groups_per_batch: 2, max_new_tokens: 2, max_turns: 3, max_failed_episodes: 100000}
        trainer: {steps: 12, groups_per_step: 2, lr: 1.0e-3}
        algorithm: {name: loop}
        """.formatted(task, plugins), "plugin-job.yaml", overrides);
  }

  @Test
  void aPluginFoundByNameTrainsAndItsFailuresAreCounted() throws Exception {
    JobConfig job = job("name: countdown");
    List<StepReport> reports = new ArrayList<>();
    Path runDir = tmp.resolve("run-by-name");
    JobRunner.Outcome outcome = JobRunner.train(job, JobRunner.Options.of(job).withRunDir(runDir)
        .withListener(reports::add), line -> {});
    assertEquals(12, outcome.lastStep());
    assertTrue(outcome.lastMetrics().get("rollout/failed_episodes") > 0, outcome.lastMetrics().toString());
    assertTrue(reports.stream().flatMap(r -> r.trained().stream()).allMatch(g -> g.taskName().equals("countdown")));
    assertTrue(reports.stream().flatMap(r -> r.trained().stream()).flatMap(g -> g.trajectories().stream())
        .anyMatch(t -> t.turns() > 1), "episodes of several turns were trained");
    String config = Files.readString(runDir.resolve("config.yaml"));
    assertTrue(config.contains("  params:\n    top: \"5\"\n") || config.contains("  params:\n    top: 5\n"), config);
    // The resolved file is a job file: it loads again, parameters included.
    JobConfig again = JobConfig.load(runDir.resolve("config.yaml"), List.of(), JobRunner.ALGORITHMS.jobSchema());
    assertEquals(job.taskParams().get("top").text(), again.taskParams().get("top").text());
  }

  @Test
  void aPluginNamedByClassTrains() throws Exception {
    JobConfig job = job("class: com.acme.Countdown", "trainer.steps=3");
    JobRunner.Outcome outcome = JobRunner.train(job, JobRunner.Options.of(job).withRunDir(tmp.resolve("run-by-class")),
        line -> {});
    assertEquals(3, outcome.lastStep());
  }

  @Test
  void badPluginSettingsAreOneLineErrorsNamingTheKey() {
    ConfigException range = assertThrows(ConfigException.class, () -> JobModel.of(job("name: countdown",
        "task.params.top=12")));
    assertTrue(range.getMessage().startsWith("task.params.top at --set task.params.top=12: must be between 2 and 9"),
        range.getMessage());
    ConfigException unknown = assertThrows(ConfigException.class, () -> JobModel.of(job("name: countdown",
        "task.params.bottom=1")));
    assertTrue(unknown.getMessage().startsWith("task.params.bottom at --set task.params.bottom=1: not a parameter of "
        + "environment 'countdown'; it reads top"), unknown.getMessage());
    ConfigException noClass = assertThrows(ConfigException.class, () -> JobModel.of(job("class: com.acme.Nope")));
    assertTrue(noClass.getMessage().startsWith("task.class at plugin-job.yaml:4:"), noClass.getMessage());
    assertTrue(noClass.getMessage().contains("no class com.acme.Nope on the class path or in [countdown.jar]"),
        noClass.getMessage());
    ConfigException noName = assertThrows(ConfigException.class, () -> JobModel.of(job("name: countdwn")));
    assertTrue(noName.getMessage().contains("no task or environment named 'countdwn'; known: reverse, modsum, addition, "
        + "math, guess, ") && noName.getMessage().endsWith(", countdown"), noName.getMessage()); // the plug-in's last
  }
}
