package dev.asyncrl.rollout.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncrl.rollout.Environment;
import dev.asyncrl.rollout.EnvironmentProvider;
import dev.asyncrl.rollout.TaskParameters;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code openenv}: episodes played against an OpenEnv server (the environment protocol of TRL and the Hugging
 * Face environment hub) over its {@code /ws} WebSocket. Each session is one connection holding one environment;
 * an episode sends {@code reset} with {@code seed} = the task instance (in 0..2³¹−1) and a {@code step} per
 * model turn, whose action is an object with one text field. The server's {@code /schema} says which field
 * that is, and which observation field is the text the model reads; with several candidates name them:
 *
 * <ul>
 *   <li>{@code action_field}: the action's text field (default: the action schema's only string field);
 *   <li>{@code observation_field}: the observation field shown to the model (default: the observation schema's
 *       only string field, else the whole observation as JSON).
 * </ul>
 *
 * Plus the parameters every remote environment has ({@link Remote}: {@code url}, {@code timeout_ms},
 * {@code retries}, {@code sessions}, {@code instruction}, {@code action_pattern}). A step's reward is the
 * observation's {@code reward} (null counts 0); the episode ends when it says {@code done}.
 */
public final class OpenEnvEnvironment implements EnvironmentProvider {

  private Remote remote;
  private String actionField;
  private String observationField;
  private HttpClient http;
  private SessionPool<OpenEnvSession> sessions;
  private Fields fields; // from /schema, once

  @Override
  public String name() {
    return "openenv";
  }

  @Override
  public void configure(TaskParameters params) {
    remote = Remote.read(params);
    actionField = params.string("action_field", "");
    observationField = params.string("observation_field", "");
    http = HttpClient.newBuilder().connectTimeout(remote.timeout()).build();
    URI ws = URI.create(remote.url().toString().replaceFirst("^http", "ws") + "/ws");
    sessions = new SessionPool<>(remote.sessions(), () -> OpenEnvSession.connect(http, ws, remote.timeout()));
  }

  /** The server says it is healthy at {@code GET /health}, and its schema names the fields to use. */
  @Override
  public void check() throws RemoteException, InterruptedException {
    JsonNode health = remote.http(http, "GET", "/health", null);
    String status = health.path("status").asText("");
    if (!status.equals("healthy")) {
      throw new RemoteException("GET " + remote.at("/health") + " says " + health, false);
    }
    fields();
  }

  /** The action field the model's text goes in, and the observation field it reads (null: all of it). */
  private record Fields(String action, String observation) {}

  private synchronized Fields fields() throws RemoteException, InterruptedException {
    if (fields == null) {
      String action = actionField;
      String observation = observationField;
      if (action.isEmpty() || observation.isEmpty()) {
        JsonNode schema = remote.http(http, "GET", "/schema", null);
        if (action.isEmpty()) {
          List<String> text = stringFields(Remote.field(schema, "action", "GET /schema"), List.of("metadata"));
          if (text.size() != 1) {
            throw new RemoteException("the action schema of " + remote.url() + " has " + (text.isEmpty() ? "no text field"
                : "the text fields " + text) + "; set task.params.action_field to the one the model's turn goes in", false);
          }
          action = text.get(0);
        }
        if (observation.isEmpty()) {
          List<String> text = stringFields(Remote.field(schema, "observation", "GET /schema"),
              List.of("metadata", "reward", "done"));
          observation = text.size() == 1 ? text.get(0) : null;
        }
      }
      fields = new Fields(action, observation);
    }
    return fields;
  }

  /** The properties of a JSON schema of type string, but {@code except}. */
  private static List<String> stringFields(JsonNode schema, List<String> except) {
    List<String> names = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      if (!except.contains(p.getKey()) && "string".equals(p.getValue().path("type").asText())) {
        names.add(p.getKey());
      }
    }
    return names;
  }

  @Override
  public Environment create() {
    return new Environment() {
      private final SessionLease<OpenEnvSession> lease = new SessionLease<>(sessions, remote);
      private Fields f; // the server's fields, from its schema once per process

      @Override
      public String reset(long instance) throws Exception {
        f = fields();
        ObjectNode seed = Remote.JSON.createObjectNode().put("seed", Math.floorMod(instance, 1L << 31));
        JsonNode answer = lease.open(s -> s.request("reset", seed));
        return remote.firstObservation(observation(answer, "reset"));
      }

      @Override
      public Step step(Action action) throws Exception {
        ObjectNode payload = Remote.JSON.createObjectNode().put(f.action(), remote.action(action.text()));
        JsonNode answer = lease.send(s -> s.request("step", payload));
        boolean done = answer.path("done").asBoolean(false);
        double reward = Remote.reward(answer.get("reward"), "the step's reward");
        return new Step(done ? "" : observation(answer, "step"), reward, done);
      }

      private String observation(JsonNode answer, String what) throws RemoteException {
        JsonNode observation = Remote.field(answer, "observation", "the answer to " + what);
        if (f.observation() == null) {
          return observation.toString();
        }
        return Remote.text(Remote.field(observation, f.observation(), "the observation after " + what));
      }

      @Override
      public void close() {
        lease.close();
      }
    };
  }

  @Override
  public void close() {
    if (sessions != null) {
      sessions.close();
    }
  }
}
