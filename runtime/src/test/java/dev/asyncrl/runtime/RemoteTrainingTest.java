package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.core.config.ConfigException;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.rollout.remote.AgentGymTestServer;
import dev.asyncrl.rollout.remote.OpenEnvTestServer;
import dev.asyncrl.trainer.StepReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training in process against an OpenEnv server and an AgentGym server: multi-turn episodes come back from
 * the network and are trained, a server that fails some steps costs those episodes (counted), not the run, and
 * every session is closed when the run ends.
 */
class RemoteTrainingTest {

  @TempDir Path tmp;

  static JobConfig job(String params, String... overrides) {
    return TestJobs.read("""
        seed: 3
        model: {d_model: 32, n_layers: 1, n_heads: 2, max_seq_len: 16}
        task:
          %s
        rollout: {workers: 1, group_size: 4, groups_per_batch: 2, max_new_tokens: 2, max_turns: 3, max_failed_episodes: 100000}
        trainer: {steps: 10, groups_per_step: 2, lr: 1.0e-3}
        algorithm: {name: loop}
        """.formatted(params), "remote-job.yaml", overrides);
  }

  private JobRunner.Outcome train(JobConfig job, String run, List<StepReport> reports) throws Exception {
    return JobRunner.train(job, JobRunner.Options.of(job).withRunDir(tmp.resolve(run)).withListener(reports::add),
        line -> {});
  }

  private static void assertMultiTurnEpisodesTrained(List<StepReport> reports, String task) {
    assertTrue(reports.stream().flatMap(r -> r.trained().stream()).allMatch(g -> g.taskName().equals(task)));
    assertTrue(reports.stream().flatMap(r -> r.trained().stream()).flatMap(g -> g.trajectories().stream())
        .anyMatch(t -> t.turns() > 1), "episodes of several turns were trained");
  }

  @Test
  void trainsAgainstAnOpenEnvServerThatFailsSomeSteps() throws Exception {
    try (OpenEnvTestServer server = new OpenEnvTestServer(6, 11, 0)) {
      JobConfig job = job("name: openenv\n  params: {url: \"" + server.url() + "\", sessions: 6}");
      List<StepReport> reports = new ArrayList<>();
      JobRunner.Outcome outcome = train(job, "openenv", reports);
      assertEquals(10, outcome.lastStep());
      assertMultiTurnEpisodesTrained(reports, "openenv");
      double counted = outcome.lastMetrics().get("rollout/failed_episodes");
      // Each failed step is one failed episode; those of episodes still in flight after the last step go uncounted.
      assertTrue(counted > 0 && counted <= server.failedSteps.get(), counted + " counted, " + server.failedSteps + " failed");
      // At most task.params.sessions at once (a closing session may still count on the server for a moment: a
      // refusal then is retried, and is not among the failures counted above).
      assertTrue(server.peakSessions.get() <= 6, server.peakSessions + " sessions at once");
      long end = System.currentTimeMillis() + 10_000;
      while (server.activeSessions() > 0 && System.currentTimeMillis() < end) {
        Thread.sleep(20);
      }
      assertEquals(0, server.activeSessions(), "every session closed at the end of the run");
    }
  }

  @Test
  void trainsAgainstAnAgentGymServer() throws Exception {
    try (AgentGymTestServer server = new AgentGymTestServer("webshop", 17)) {
      JobConfig job = job("name: agentgym\n  params: {url: \"" + server.url() + "\", env: webshop, instances: 100}");
      List<StepReport> reports = new ArrayList<>();
      JobRunner.Outcome outcome = train(job, "agentgym", reports);
      assertEquals(10, outcome.lastStep());
      assertMultiTurnEpisodesTrained(reports, "agentgym");
      assertTrue(outcome.lastMetrics().get("rollout/failed_episodes") > 0);
      assertEquals(0, server.openEnvironments(), "every environment closed at the end of the run");
    }
  }

  @Test
  void aDryRunChecksThatTheServerAnswers() throws Exception {
    String url;
    try (OpenEnvTestServer server = new OpenEnvTestServer(2, 0, 0)) {
      url = server.url();
      JobRunner.check(job("name: openenv\n  params: {url: \"" + url + "\"}", "output_dir=" + tmp), false);
    }
    // A first observation that leaves no room for a turn is caught too, by opening one episode.
    try (OpenEnvTestServer server = new OpenEnvTestServer(2, 0, 0)) {
      ConfigException tooLong = assertThrows(ConfigException.class, () -> JobRunner.check(job("name: openenv\n  params: "
          + "{url: \"" + server.url() + "\"}", "output_dir=" + tmp, "model.max_seq_len=2"), false));
      assertTrue(tooLong.getMessage().startsWith("model.max_seq_len at --set model.max_seq_len=2: must exceed the first "
          + "observation of environment 'openenv' (2 tokens as the model sees it, instance 0), got 2"), tooLong.getMessage());
    }
    // The same address with nothing behind it: a one-line error naming the task key and the server.
    ConfigException down = assertThrows(ConfigException.class,
        () -> JobRunner.check(job("name: openenv\n  params: {url: \"" + url + "\", retries: 0}", "output_dir=" + tmp), false));
    assertTrue(down.getMessage().startsWith("task.name at remote-job.yaml:4:3: environment 'openenv' is not ready: GET "
        + url + "/health: nothing answers there (connection refused); is the server running?"), down.getMessage());
  }

  @Test
  void aPlainStartOpensOneEpisodeBeforeWritingAnything() throws Exception {
    try (OpenEnvTestServer server = new OpenEnvTestServer(2, 0, 0)) {
      JobConfig job = job("name: openenv\n  params: {url: \"" + server.url() + "\"}", "model.max_seq_len=2");
      ConfigException tooLong = assertThrows(ConfigException.class, () -> train(job, "too-long", new ArrayList<>()));
      assertTrue(tooLong.getMessage().startsWith("model.max_seq_len at --set model.max_seq_len=2: must exceed the first "
          + "observation of environment 'openenv'"), tooLong.getMessage());
      assertTrue(!Files.exists(tmp.resolve("too-long")), "a failed start leaves no run folder behind");
    }
  }
}
