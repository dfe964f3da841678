package dev.asyncrl.rollout.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncrl.rollout.Environment;
import dev.asyncrl.rollout.EnvironmentProvider;
import dev.asyncrl.rollout.TaskParameters;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code agentgym}: episodes played against one of AgentGym's {@code agentenv-*} HTTP servers. A session is an
 * environment id from {@code POST /create}, reused by later episodes; an episode is {@code POST /reset} with the
 * task item, then {@code POST /step} per model turn; {@code POST /close} ends a session. The servers name their
 * fields differently, so {@code task.params.env} picks a {@link Dialect} and each of its fields can be
 * overridden:
 *
 * <ul>
 *   <li>{@code env}: {@code textcraft} (default), {@code babyai}, {@code sciworld}, {@code webshop} or
 *       {@code sqlgym};
 *   <li>{@code instances}: how many task items the server holds; required. The item of a task instance is the
 *       instance modulo this;
 *   <li>{@code id_field}, {@code item_field}, {@code observation_field}, {@code reward_field},
 *       {@code task_field} (text put before the first observation, e.g. sciworld's task description),
 *       {@code observe_after_reset} (read the first observation from {@code GET /observation}),
 *       {@code cumulative_reward} (the reward field is a running score: a step earns its increase).
 * </ul>
 *
 * Plus the parameters every remote environment has ({@link Remote}). AgentGym's own clients cut the action out
 * of a "Thought: … Action: …" answer; {@code action_pattern: "Action:\\s*(.*)"} does the same here.
 */
public final class AgentGymEnvironment implements EnvironmentProvider {

  /**
   * How one kind of server names things.
   *
   * @param idField           the session id's field in every request ({@code id} or {@code env_idx})
   * @param itemField         the task item's field in {@code /reset}
   * @param observationField  the observation's field in the answers to {@code /reset} and {@code /step}
   * @param rewardField       the reward's field in the answer to {@code /step}
   * @param taskField         a field of the {@code /reset} answer put before the first observation, or empty
   * @param observeAfterReset whether the first observation comes from {@code GET /observation}
   * @param cumulativeReward  whether the reward field is the score so far rather than the step's reward
   */
  record Dialect(String idField, String itemField, String observationField, String rewardField, String taskField,
                 boolean observeAfterReset, boolean cumulativeReward) {

    static final Map<String, Dialect> KNOWN = Map.of(
        "textcraft", new Dialect("id", "data_idx", "observation", "reward", "", false, false),
        "babyai", new Dialect("id", "data_idx", "observation", "score", "", false, true),
        "sciworld", new Dialect("id", "data_idx", "observation", "score", "task_description", false, true),
        "webshop", new Dialect("env_idx", "session_id", "state", "reward", "", true, false),
        "sqlgym", new Dialect("env_idx", "item_id", "state", "reward", "", true, false));

    static Dialect read(TaskParameters params) {
      String env = params.string("env", "textcraft");
      Dialect d = KNOWN.get(env);
      if (d == null) {
        throw params.error("env", "unknown AgentGym server '" + env + "'; known: " + String.join(", ",
            KNOWN.keySet().stream().sorted().toList()) + " (or set its fields: id_field, item_field, …)");
      }
      return new Dialect(params.string("id_field", d.idField), params.string("item_field", d.itemField),
          params.string("observation_field", d.observationField), params.string("reward_field", d.rewardField),
          params.string("task_field", d.taskField), params.flag("observe_after_reset", d.observeAfterReset),
          params.flag("cumulative_reward", d.cumulativeReward));
    }
  }

  private Remote remote;
  private Dialect dialect;
  private int instances;
  private HttpClient http;
  private SessionPool<Session> sessions;

  @Override
  public String name() {
    return "agentgym";
  }

  @Override
  public void configure(TaskParameters params) {
    remote = Remote.read(params);
    dialect = Dialect.read(params);
    instances = params.integer("instances", 0, 0, Integer.MAX_VALUE);
    if (instances == 0) {
      throw params.error("instances", "required: how many task items the server holds (items 0..instances-1 are played)");
    }
    http = HttpClient.newBuilder().connectTimeout(remote.timeout()).build();
    sessions = new SessionPool<>(remote.sessions(), this::createSession);
  }

  /** The server answers {@code GET /} (each agentenv server says its name there). */
  @Override
  public void check() throws RemoteException, InterruptedException {
    remote.http(http, "GET", "/", null);
  }

  /** An environment id on the server. */
  private final class Session implements SessionPool.Session {
    final JsonNode id;

    Session(JsonNode id) {
      this.id = id;
    }

    JsonNode post(String path, ObjectNode body) throws RemoteException, InterruptedException {
      body.set(dialect.idField(), id);
      return remote.http(http, "POST", path, body);
    }

    /** Closes the environment on the server, even from a thread being interrupted (a stopping worker's). */
    @Override
    public void end() {
      boolean interrupted = Thread.interrupted();
      try {
        post("/close", Remote.JSON.createObjectNode());
      } catch (RemoteException e) {
        // best effort: the server may be gone
      } catch (InterruptedException e) {
        interrupted = true;
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private Session createSession() throws RemoteException, InterruptedException {
    JsonNode created = remote.http(http, "POST", "/create", Remote.JSON.createObjectNode(), late -> {
      JsonNode id = idOf(late);
      if (id != null) {
        new Session(id).end(); // created for an episode that stopped waiting
      }
    });
    JsonNode id = idOf(created);
    if (id == null) {
      throw new RemoteException("POST " + remote.at("/create") + " answered no environment id (expected a number or a "
          + "field '" + dialect.idField() + "', got " + created + ")", false);
    }
    return new Session(id);
  }

  /** The environment id in an answer to {@code /create}, or null: webshop and sqlgym answer the bare id. */
  private JsonNode idOf(JsonNode created) {
    JsonNode id = created.isObject() ? created.get(dialect.idField()) : created;
    return id != null && (id.isIntegralNumber() || id.isTextual()) ? id : null;
  }

  @Override
  public Environment create() {
    return new Environment() {
      private final SessionLease<Session> lease = new SessionLease<>(sessions, remote);
      private double score; // the server's running score, when the reward field is one

      @Override
      public String reset(long instance) throws Exception {
        ObjectNode body = Remote.JSON.createObjectNode().put(dialect.itemField(), Math.floorMod(instance, instances));
        JsonNode answer = lease.open(s -> s.post("/reset", body));
        String observation;
        if (dialect.observeAfterReset()) {
          String query = "/observation?" + dialect.idField() + "="
              + URLEncoder.encode(Remote.text(lease.session().id), StandardCharsets.UTF_8);
          observation = Remote.text(lease.send(s -> remote.http(http, "GET", query, null)));
        } else {
          observation = Remote.text(Remote.field(answer, dialect.observationField(), "the answer to /reset"));
        }
        if (!dialect.taskField().isEmpty()) {
          observation = Remote.text(Remote.field(answer, dialect.taskField(), "the answer to /reset")) + "\n" + observation;
        }
        return remote.firstObservation(observation);
      }

      @Override
      public Step step(Action action) throws Exception {
        ObjectNode body = Remote.JSON.createObjectNode().put("action", remote.action(action.text()));
        JsonNode answer = lease.send(s -> s.post("/step", body));
        boolean done = Remote.field(answer, "done", "the answer to /step").asBoolean();
        double reward = Remote.reward(Remote.field(answer, dialect.rewardField(), "the answer to /step"),
            "the step's " + dialect.rewardField());
        if (dialect.cumulativeReward()) {
          double earned = reward - score;
          score = reward;
          reward = earned;
        }
        String observation = done ? "" : Remote.text(Remote.field(answer, dialect.observationField(), "the answer to /step"));
        return new Step(observation, reward, done);
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
