package dev.asyncrl.rollout.apiworld;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncrl.core.config.ValueType;
import dev.asyncrl.rollout.Environment;
import dev.asyncrl.rollout.EnvironmentProvider;
import dev.asyncrl.rollout.TaskParameters;
import dev.asyncrl.rollout.tools.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code apiworld}: a small stateful world of four apps (contacts, calendar, notes, payments) in the spirit of
 * AppWorld, for models that call tools. Each episode is a fresh world and a task drawn from the instance, such
 * as "Move every Friday event with Ada Park to Monday, at the same times". The {@link Api} functions are
 * described to the model through its chat template; it calls them (in the formats {@link ToolCall} reads), sees
 * their results as tool messages, and ends by calling {@code complete_task} or answering without a call. The
 * reward is the share of the task's state checks the final world passes, "nothing else changed" included.
 *
 * <ul>
 *   <li>{@code task.params.tier} (default 1): 1, one call with everything given; 2, a lookup then one change;
 *       3, several changes found by lookups;
 *   <li>{@code task.params.apps} (default all): the apps whose functions the model is given, comma-separated
 *       from contacts, calendar, notes, payments; only tasks these apps can do are drawn. Fewer apps, a shorter
 *       prompt.
 * </ul>
 */
public final class ApiWorldEnvironment implements EnvironmentProvider {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String PREAMBLE = "You act for the user in their apps (contacts, calendar, notes, payments) by "
      + "calling the functions you are given. When the task is done, call complete_task.";

  private int tier = 1;
  private List<String> apps = Api.APPS;
  private List<Api> functions = Api.ALL; // those of the apps, and complete_task
  private List<TaskGenerator.Kind> kinds = TaskGenerator.kinds(1, Api.APPS);

  @Override
  public String name() {
    return "apiworld";
  }

  @Override
  public void configure(TaskParameters params) {
    tier = params.integer("tier", 1, 1, 3);
    apps = ValueType.commaSeparated(params.string("apps", String.join(",", Api.APPS)));
    for (String app : apps) {
      if (!Api.APPS.contains(app)) {
        throw params.error("apps", "no app '" + app + "'; the apps are " + String.join(", ", Api.APPS));
      }
    }
    List<String> chosen = apps;
    functions = Api.ALL.stream().filter(api -> api.app().isEmpty() || chosen.contains(api.app())).toList();
    kinds = TaskGenerator.kinds(tier, apps);
    if (kinds.isEmpty()) {
      throw params.error("apps", "no tier-" + tier + " task uses only " + apps + "; tier " + tier + " tasks need "
          + TaskGenerator.KINDS.stream().filter(k -> k.tier() == tier).map(k -> String.join("+", new java.util.TreeSet<>(k.apps())))
              .distinct().toList());
    }
  }

  @Override
  public List<Map<String, Object>> tools() {
    return functions.stream().map(Api::schema).toList();
  }

  @Override
  public Environment create() {
    return new Environment() {
      private World before;
      private World world;
      private ApiTask task;

      @Override
      public String reset(long instance) {
        TaskGenerator.Episode episode = TaskGenerator.generate(instance, kinds);
        before = episode.world().copy();
        world = episode.world();
        task = episode.task();
        return PREAMBLE + "\n\nTask: " + task.instruction();
      }

      @Override
      public Step step(Action action) {
        List<ToolCall> calls = ToolCall.parse(action.text());
        if (calls.isEmpty()) {
          return Step.end(task.score(before, world)); // an answer without a call ends the episode
        }
        List<String> results = new ArrayList<>();
        for (ToolCall call : calls) {
          if (Api.COMPLETE.equals(call.name()) && call.problem() == null) {
            return Step.end(task.score(before, world));
          }
          Result result = run(world, call, functions);
          world = result.world();
          results.add(result.text());
        }
        return Step.tool(String.join("\n", results));
      }
    };
  }

  /** The world after a call, and what the model is told: the result as JSON text, or what is wrong. */
  record Result(World world, String text) {}

  /** Runs {@code call} of one of {@code functions} on a copy of {@code world}: a call that fails changes nothing. */
  static Result run(World world, ToolCall call, List<Api> functions) {
    if (call.problem() != null) {
      return new Result(world, "error: " + call.problem());
    }
    Api api = functions.stream().filter(a -> a.name().equals(call.name())).findFirst().orElse(null);
    if (api == null) {
      return new Result(world, "error: there is no function named '" + call.name() + "'");
    }
    World after = world.copy();
    Object result;
    try {
      result = api.call(after, call.arguments());
    } catch (IllegalArgumentException e) {
      return new Result(world, "error: " + e.getMessage());
    }
    try {
      return new Result(after, result instanceof String text ? text : JSON.writeValueAsString(result));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an apiworld result cannot be written as JSON", e);
    }
  }

  /** The reference solution of the instance's task, as Hermes tool-call turns, then {@code complete_task}. */
  @Override
  public List<String> demonstration(long instance) {
    return solutionTurns(TaskGenerator.generate(instance, kinds).task());
  }

  /** The reference solution of instance {@code instance} at {@code tier}, every app given (for tests). */
  static List<String> solutionTurns(long instance, int tier) {
    return solutionTurns(TaskGenerator.generate(instance, tier).task());
  }

  private static List<String> solutionTurns(ApiTask task) {
    List<String> turns = new ArrayList<>();
    for (ApiTask.Call call : task.solution()) {
      turns.add(ToolCall.hermes(call.name(), call.arguments()));
    }
    turns.add(ToolCall.hermes(Api.COMPLETE, Map.of()));
    return turns;
  }
}
