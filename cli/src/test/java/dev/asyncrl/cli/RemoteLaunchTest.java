package dev.asyncrl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.datastore.kafka.EmbeddedKafkaBroker;
import dev.asyncrl.rollout.remote.AgentGymTestServer;
import dev.asyncrl.rollout.remote.OpenEnvTestServer;
import dev.asyncrl.runtime.JobRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code asyncrl launch} over a real broker, with the rollout worker in its own JVM playing its episodes against
 * an OpenEnv server and then an AgentGym server: the trainer, which never talks to the environment, trains the
 * multi-turn episodes that come through Kafka.
 */
class RemoteLaunchTest {

  @TempDir Path dir;

  static final int STEPS = 6;

  @Test
  void launchTrainsEpisodesPlayedAgainstOpenEnvAndAgentGymServersOverKafka() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"));
         OpenEnvTestServer openenv = new OpenEnvTestServer(8, 0, 0);
         AgentGymTestServer agentgym = new AgentGymTestServer("textcraft", 0)) {
      launch(broker, "openenv", "name: openenv\n  params: {url: \"" + openenv.url() + "\"}");
      assertTrue(openenv.stepCount.get() > 0);
      launch(broker, "agentgym", "name: agentgym\n  params: {url: \"" + agentgym.url() + "\", instances: 50}");
      assertTrue(agentgym.stepCount.get() > 0);
      assertEquals(0, agentgym.openEnvironments(), "the worker closed its environments when it ended");
    }
  }

  private void launch(EmbeddedKafkaBroker broker, String name, String task) throws Exception {
    Path config = dir.resolve(name + ".yaml");
    Files.writeString(config, """
        name: %s
        seed: 5
        max_staleness: 2
        output_dir: %s
        model: {d_model: 32, n_layers: 1, n_heads: 2, max_seq_len: 16}
        task:
          %s
        rollout: {workers: 1, group_size: 4, groups_per_batch: 2, max_new_tokens: 2, max_turns: 3}
        trainer: {steps: %d, groups_per_step: 2, lr: 1.0e-3, checkpoint_every: 3}
        algorithm: {name: loop}
        datastore: {type: kafka}
        """.formatted(name, dir.resolve("runs"), task, STEPS));
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    LaunchCommand launch = new LaunchCommand();
    launch.arguments.config = config;
    launch.workers = 1;
    List<String> sets = List.of("datastore.bootstrap=" + broker.bootstrap());
    JobConfig job = JobRunner.load(config, sets);
    int exit = launch.launchHere(job, sets, output::add, s -> {});
    assertEquals(0, exit, () -> String.join("\n", output));
    List<String> metrics = Files.readAllLines(dir.resolve("runs").resolve(name).resolve("metrics.jsonl"));
    assertEquals(STEPS, metrics.size());
    ObjectMapper json = new ObjectMapper();
    boolean multiTurn = false;
    for (String line : metrics) {
      JsonNode m = json.readTree(line);
      multiTurn |= m.get("rollout/turns_mean").asDouble() > 1;
    }
    assertTrue(multiTurn, "episodes of several turns were trained: " + metrics);
  }
}
