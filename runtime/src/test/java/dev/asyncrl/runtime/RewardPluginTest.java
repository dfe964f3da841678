package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.core.config.ConfigException;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.trainer.StepReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code task.reward_class}: a user's reward function, compiled here into a jar in a plug-ins folder, scores the
 * responses of a built-in single-turn task; what it throws is a counted failure naming its class.
 */
class RewardPluginTest {

  @TempDir
  static Path tmp;

  static Path plugins;

  /** Rewards a response by how many of its characters are the prompt's first digit; every 29th call throws. */
  static final String SOURCE = """
      package com.acme;

      import dev.asyncrl.rollout.RewardFunction;
      import dev.asyncrl.rollout.TaskInstance;
      import java.util.concurrent.atomic.AtomicInteger;

      public class FirstDigitReward implements RewardFunction {
        static final AtomicInteger CALLS = new AtomicInteger();

        public double score(TaskInstance instance, String response, boolean terminated) {
          if (CALLS.incrementAndGet() % 29 == 0) {
            throw new IllegalStateException("the reward service is down");
          }
          char first = instance.prompt().charAt(0);
          return response.isEmpty() ? 0 : response.chars().filter(c -> c == first).count() / (double) response.length();
        }
      }
      """;

  @BeforeAll
  static void buildPlugin() throws Exception {
    plugins = tmp.resolve("plugins");
    PluginJars.build(tmp, plugins, "reward.jar", "com.acme.FirstDigitReward", SOURCE, null);
  }

  static JobConfig job(String rewardClass, String... overrides) {
    return TestJobs.read("""
        seed: 4
        model: {d_model: 32, n_layers: 1, n_heads: 2, max_seq_len: 16}
        task: {name: reverse, digits: 3, plugins: %s, reward_class: %s}
        rollout: {workers: 1, group_size: 4, groups_per_batch: 2, max_new_tokens: 4, max_failed_episodes: 100000}
        trainer: {steps: 8, groups_per_step: 2, lr: 1.0e-3}
        """.formatted(plugins, rewardClass), "reward-job.yaml", overrides);
  }

  @Test
  void theUsersRewardScoresEveryResponseAndItsFailuresAreCounted() throws Exception {
    JobConfig job = job("com.acme.FirstDigitReward");
    List<StepReport> reports = new ArrayList<>();
    List<String> log = new ArrayList<>();
    JobRunner.Outcome outcome = JobRunner.train(job, JobRunner.Options.of(job).withRunDir(tmp.resolve("run"))
        .withListener(reports::add), log::add);
    assertEquals(8, outcome.lastStep());
    assertTrue(outcome.lastMetrics().get("rollout/failed_episodes") > 0, outcome.lastMetrics().toString());
    assertTrue(log.stream().anyMatch(l -> l.contains("'reverse' (com.acme.FirstDigitReward)")
        && l.contains("the reward service is down")), String.join("\n", log));
    // The built-in reverse check would give 0 or 1 only; the plug-in's shares show its scores were trained.
    List<Double> rewards = reports.stream().flatMap(r -> r.trained().stream()).flatMap(g -> g.trajectories().stream())
        .map(Trajectory::reward).toList();
    assertTrue(rewards.stream().allMatch(r -> r >= 0 && r <= 1));
    assertTrue(rewards.stream().anyMatch(r -> r > 0 && r < 1), rewards.toString());
  }

  @Test
  void aRewardClassIsCheckedAtLoad() {
    ConfigException missing = assertThrows(ConfigException.class, () -> JobModel.of(job("com.acme.Nope")));
    assertTrue(missing.getMessage().startsWith("task.reward_class at reward-job.yaml:3:") && missing.getMessage()
        .contains("no class com.acme.Nope on the class path or in [reward.jar]"), missing.getMessage());
    ConfigException wrongType = assertThrows(ConfigException.class, () -> JobModel.of(job("java.util.ArrayList")));
    assertTrue(wrongType.getMessage().contains("java.util.ArrayList does not implement dev.asyncrl.rollout.RewardFunction"),
        wrongType.getMessage());
    ConfigException multiTurn = assertThrows(ConfigException.class,
        () -> JobModel.of(job("com.acme.FirstDigitReward", "task.name=guess")));
    assertTrue(multiTurn.getMessage().contains("environment 'guess' rewards its own episodes"), multiTurn.getMessage());
  }
}
