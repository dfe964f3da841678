package dev.asyncrl.rollout.apiworld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.rollout.Environment;
import dev.asyncrl.rollout.Environment.Action;
import dev.asyncrl.rollout.Environment.Step;
import dev.asyncrl.rollout.TaskParameters;
import dev.asyncrl.core.config.Origin;
import dev.asyncrl.core.config.RawValue;
import dev.asyncrl.rollout.tools.ToolCall;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * apiworld's tasks are solvable through its functions (the reference solution, played as tool calls, earns 1 on
 * every generated task of every tier), partial work earns partial credit, collateral changes cost the "nothing
 * else changed" check, and bad calls are answered without changing the world.
 */
class ApiWorldTest {

  static ApiWorldEnvironment apiworld(int tier, String... keyValues) {
    ApiWorldEnvironment env = new ApiWorldEnvironment();
    Map<String, RawValue> raw = new LinkedHashMap<>();
    raw.put("tier", RawValue.scalar(String.valueOf(tier), Origin.override("task.params.tier")));
    for (int i = 0; i < keyValues.length; i += 2) {
      raw.put(keyValues[i], RawValue.scalar(keyValues[i + 1], Origin.override("task.params." + keyValues[i])));
    }
    TaskParameters params = new TaskParameters("apiworld", raw);
    env.configure(params);
    params.checkAllRead();
    return env;
  }

  /** Plays {@code turns}; returns the final step (the episode must end by the last turn). */
  static Step play(Environment env, List<String> turns) throws Exception {
    Step step = null;
    for (String turn : turns) {
      step = env.step(new Action(turn, true));
      if (step.done()) {
        return step;
      }
      assertEquals("tool", step.role());
      assertFalse(step.observation().startsWith("error:"), turn + " -> " + step.observation());
    }
    return step;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  void theReferenceSolutionEarnsFullCreditOnEveryTask(int tier) throws Exception {
    ApiWorldEnvironment apiworld = apiworld(tier);
    Set<String> kinds = new HashSet<>();
    for (long instance = 0; instance < 60; instance++) {
      Environment env = apiworld.create();
      String prompt = env.reset(instance);
      assertTrue(prompt.startsWith(ApiWorldEnvironment.PREAMBLE), prompt);
      List<ApiTask.Call> solution = TaskGenerator.generate(instance, tier).task().solution();
      kinds.add(solution.get(solution.size() - 1).name()); // what the task changes
      Step end = play(env, ApiWorldEnvironment.solutionTurns(instance, tier));
      assertEquals(new Step("", 1.0, true), end, "tier " + tier + ", instance " + instance + ": " + prompt);
    }
    assertEquals(3, kinds.size(), "each tier draws three kinds of task: " + kinds);
  }

  @Test
  void doingNothingEarnsNothing() throws Exception {
    for (int tier = 1; tier <= 3; tier++) {
      Environment env = apiworld(tier).create();
      env.reset(5);
      ApiTask task = TaskGenerator.generate(5, tier).task();
      Step end = env.step(new Action("I did it.", true)); // an answer without a call ends the episode
      assertTrue(end.done());
      assertEquals(0, end.reward(), 1e-12, "tier " + tier + ": 'nothing else changed' counts only with progress");
    }
  }

  @Test
  void aChangeTheTaskDidNotAskForCostsACheck() throws Exception {
    long instance = 7;
    ApiTask task = TaskGenerator.generate(instance, 2).task();
    World world = TaskGenerator.generate(instance, 2).world();
    int unrelatedNote = world.notes.firstKey(); // tier-2 tasks never touch notes
    Environment env = apiworld(2).create();
    env.reset(instance);
    List<String> turns = new java.util.ArrayList<>(ApiWorldEnvironment.solutionTurns(instance, 2));
    turns.add(0, "<tool_call>{\"name\": \"delete_note\", \"arguments\": {\"note_id\": " + unrelatedNote + "}}</tool_call>");
    Step end = play(env, turns);
    assertEquals(task.checks().size() / (double) (task.checks().size() + 1), end.reward(), 1e-12);
  }

  /**
   * A tier-1 task checks each thing it asks for on its own: a note with the right title but other text, or a contact
   * with the right name and email but another phone, earns the checks it passes ("nothing else changed" included);
   * the wrong title or name passes none.
   */
  @Test
  void eachRequestedFieldIsItsOwnCheck() throws Exception {
    // a field to get wrong and the reward that earns, and the field that identifies the new item
    record Fields(String other, double otherWrong, String identifying) {}
    Map<String, Fields> tasks = Map.of("create_note", new Fields("body", 2 / 3.0, "title"),
        "add_contact", new Fields("phone", 3 / 4.0, "name"));
    Set<String> seen = new HashSet<>();
    for (long instance = 0; instance < 60; instance++) {
      ApiTask.Call call = TaskGenerator.generate(instance, 1).task().solution().get(0);
      Fields fields = tasks.get(call.name());
      if (fields == null) {
        continue;
      }
      seen.add(call.name());
      for (String key : List.of(fields.other(), fields.identifying())) {
        Map<String, Object> changed = new LinkedHashMap<>(call.arguments());
        changed.put(key, call.arguments().get(key) + " x");
        Environment env = apiworld(1).create();
        env.reset(instance);
        Step end = play(env, List.of(ToolCall.hermes(call.name(), changed), ToolCall.hermes("complete_task", Map.of())));
        assertEquals(key.equals(fields.other()) ? fields.otherWrong() : 0, end.reward(), 1e-12,
            "instance " + instance + ", " + key + " wrong: " + changed);
      }
    }
    assertEquals(tasks.keySet(), seen);
  }

  @Test
  void badCallsAreAnsweredAndChangeNothing() throws Exception {
    Environment env = apiworld(1).create();
    env.reset(3);
    World before = TaskGenerator.generate(3, 1).world();
    String[][] cases = {
        {"<tool_call>{\"name\": \"send_money\", \"arguments\": {}}</tool_call>", "error: there is no function named 'send_money'"},
        {"<tool_call>{\"name\": \"send_payment\", \"arguments\": {\"contact_id\": 1, \"amount\": 1000000, \"memo\": \"x\"}}"
            + "</tool_call>", "error: the balance is "},
        {"<tool_call>{\"name\": \"send_payment\", \"arguments\": {\"contact_id\": 99, \"amount\": 1, \"memo\": \"x\"}}"
            + "</tool_call>", "error: no contact with id 99"},
        {"<tool_call>{\"name\": \"move_event\", \"arguments\": {\"event_id\": 7, \"day\": \"Sunday\"}}</tool_call>",
            "error: move_event: 'day' must be one of Monday, Tuesday, Wednesday, Thursday, Friday"},
        {"<tool_call>{\"name\": \"create_note\", \"arguments\": {\"title\": \"a\", \"text\": \"b\"}}</tool_call>",
            "error: create_note has no argument 'text'; it takes title, body"},
        {"<tool_call>{\"name\": \"create_note\", \"arguments\": {\"title\": \"a\"", "error: the tool call is not valid JSON"}};
    for (String[] c : cases) {
      Step step = env.step(new Action(c[0], true));
      assertEquals("tool", step.role());
      assertTrue(step.observation().startsWith(c[1]), step.observation());
    }
    Step end = env.step(new Action("<tool_call>{\"name\": \"complete_task\", \"arguments\": {}}</tool_call>", true));
    ApiTask task = TaskGenerator.generate(3, 1).task();
    assertEquals(0, end.reward(), 1e-12, "nothing changed and nothing done");
    assertTrue(before.changedKeys(TaskGenerator.generate(3, 1).world()).isEmpty(), "generation is deterministic");
  }

  @Test
  void twentyOneFunctionsAreDescribed() {
    List<Map<String, Object>> tools = apiworld(1).tools();
    assertEquals(21, tools.size());
    assertTrue(tools.stream().allMatch(t -> t.get("type").equals("function")));
  }

  @SuppressWarnings("unchecked")
  private static List<String> names(List<Map<String, Object>> tools) {
    return tools.stream().map(t -> (String) ((Map<String, Object>) t.get("function")).get("name")).toList();
  }

  @Test
  void fewerAppsGiveFewerFunctionsAndOnlyTheirTasks() throws Exception {
    ApiWorldEnvironment notes = apiworld(1, "apps", "notes");
    assertEquals(List.of("list_notes", "read_note", "create_note", "append_to_note", "delete_note", "complete_task"),
        names(notes.tools()));
    for (long instance = 0; instance < 20; instance++) {
      Environment env = notes.create();
      String prompt = env.reset(instance);
      assertTrue(prompt.contains("Create a note") || prompt.contains("Delete note"), prompt);
    }
    Environment env = notes.create();
    env.reset(1);
    Step other = env.step(new Action("<tool_call>{\"name\": \"get_balance\", \"arguments\": {}}</tool_call>", true));
    assertEquals("error: there is no function named 'get_balance'", other.observation(), "not an app of this job");
    dev.asyncrl.core.config.ConfigException none = org.junit.jupiter.api.Assertions.assertThrows(
        dev.asyncrl.core.config.ConfigException.class, () -> apiworld(2, "apps", "notes"));
    assertTrue(none.getMessage().startsWith("task.params.apps at --set task.params.apps: no tier-2 task uses only "
        + "[notes]; tier 2 tasks need [contacts+payments, calendar, contacts]"), none.getMessage());
    dev.asyncrl.core.config.ConfigException unknown = org.junit.jupiter.api.Assertions.assertThrows(
        dev.asyncrl.core.config.ConfigException.class, () -> apiworld(1, "apps", "notes, mail"));
    assertTrue(unknown.getMessage().contains("no app 'mail'; the apps are contacts, calendar, notes, payments"),
        unknown.getMessage());
  }

  /**
   * What the model reads is the same text in every JVM: tool schemas, demonstrated arguments and tool results keep
   * the order they are written in ({@code Map.of} would draw a new order at every start), and the schemas the
   * order Hugging Face's tool descriptions use.
   */
  @Test
  void whatTheModelReadsKeepsItsKeyOrder() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    for (Map<String, Object> tool : apiworld(1).tools()) {
      String text = json.writeValueAsString(tool);
      assertTrue(text.matches("\\{\"type\":\"function\",\"function\":\\{\"name\":\"\\w+\",\"description\":\".*\","
          + "\"parameters\":\\{\"type\":\"object\",\"properties\":\\{.*\\},\"required\":\\[.*\\]\\}\\}\\}"), text);
    }
    Set<String> seen = new HashSet<>();
    for (long instance = 0; instance < 60; instance++) {
      String first = ApiWorldEnvironment.solutionTurns(instance, 1).get(0);
      if (first.contains("create_note")) {
        assertTrue(first.matches("(?s).*\"arguments\":\\{\"title\":\"[^\"]+\",\"body\":\"[^\"]+\"\\}.*"), first);
        seen.add("create_note");
      } else if (first.contains("add_contact")) {
        assertTrue(first.matches("(?s).*\"arguments\":\\{\"name\":.*,\"phone\":.*,\"email\":.*"), first);
        seen.add("add_contact");
      }
    }
    assertEquals(Set.of("create_note", "add_contact"), seen);
    Environment env = apiworld(1, "apps", "notes").create();
    env.reset(0);
    String notes = env.step(new Action("<tool_call>\n{\"name\": \"list_notes\", \"arguments\": {}}\n</tool_call>", true))
        .observation();
    assertTrue(notes.matches("\\[(\\{\"id\":\\d+,\"title\":\"[^\"]+\"\\},?)+\\]"), notes);
  }
}
