package dev.asyncrl.rollout.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tool call as a model writes it, in the formats the shipped chat templates teach:
 *
 * <ul>
 *   <li>Hermes style (Qwen2.5, Qwen3): {@code <tool_call>{"name": …, "arguments": {…}}</tool_call>}, one or more;
 *   <li>Llama 3.1 JSON: the turn is one object {@code {"name": …, "parameters": {…}}}, optionally after
 *       {@code <|python_tag|>}.
 * </ul>
 *
 * A call that is there but cannot be read is still a call: {@link #problem} says what is wrong, and the model
 * is told so, instead of the turn counting as an answer.
 *
 * @param name      the function's name, or null when unreadable
 * @param arguments the arguments object, or null when unreadable
 * @param problem   null, or what is wrong with the call as written
 */
public record ToolCall(String name, JsonNode arguments, String problem) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern HERMES = Pattern.compile("<tool_call>(.*?)(?:</tool_call>|$)", Pattern.DOTALL);
  private static final String PYTHON_TAG = "<|python_tag|>";

  /**
   * A call written as Qwen2.5's and Qwen3's templates show one in their system turn, which {@link #parse} reads
   * back: {@code <tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>}.
   */
  public static String hermes(String name, Map<String, ?> arguments) {
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("name", name);
    call.put("arguments", arguments);
    try {
      return "<tool_call>\n" + JSON.writeValueAsString(call) + "\n</tool_call>";
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the arguments of " + name + " cannot be written as JSON", e);
    }
  }

  /** The calls in a model's turn, in order; empty when the turn calls nothing (it is an answer). */
  public static List<ToolCall> parse(String turn) {
    List<ToolCall> calls = new ArrayList<>();
    Matcher m = HERMES.matcher(turn);
    while (m.find()) {
      calls.add(read(m.group(1).strip(), "arguments"));
    }
    if (!calls.isEmpty()) {
      return calls;
    }
    String text = turn.strip();
    if (text.startsWith(PYTHON_TAG)) {
      text = text.substring(PYTHON_TAG.length()).strip();
    }
    if (text.startsWith("{") && text.contains("\"name\"")) {
      ToolCall call = read(text, "parameters");
      if (call.problem() != null && call.name() == null && !turn.strip().startsWith(PYTHON_TAG)) {
        return calls; // prose that happens to start with a brace is an answer
      }
      calls.add(call);
    }
    return calls;
  }

  private static ToolCall read(String json, String argumentsKey) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return new ToolCall(null, null, "the tool call is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      return new ToolCall(null, null, "the tool call must be a JSON object with \"name\" and \"" + argumentsKey + "\"");
    }
    JsonNode name = node.get("name");
    if (name == null || !name.isTextual()) {
      return new ToolCall(null, null, "the tool call has no \"name\"");
    }
    JsonNode arguments = node.has(argumentsKey) ? node.get(argumentsKey) : node.get("arguments");
    if (arguments != null && arguments.isTextual()) { // some models write the arguments as a JSON string
      try {
        arguments = JSON.readTree(arguments.asText());
      } catch (JsonProcessingException e) {
        arguments = null;
      }
    }
    if (arguments == null || !arguments.isObject()) {
      return new ToolCall(name.asText(), null, "the call of " + name.asText() + " needs \"" + argumentsKey
          + "\" as a JSON object");
    }
    return new ToolCall(name.asText(), arguments, null);
  }
}
