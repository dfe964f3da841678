package dev.asyncrl.rollout.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A function the model may call during an episode. Its schema goes to the chat template (so the model is told
 * about it the way its template describes tools); its result goes back to the model as a {@code tool} message.
 */
public interface Tool {

  /** The name the model calls it by. */
  String name();

  /** What it does, for the model. */
  String description();

  /** Its arguments as a JSON schema object ({@code {"type": "object", "properties": …, "required": …}}). */
  Map<String, Object> parameters();

  /**
   * Runs the call.
   *
   * @return the result, as the model reads it
   * @throws IllegalArgumentException when the arguments are wrong; its message is shown to the model
   */
  String call(JsonNode arguments);

  /** The description chat templates take: {@code {"type": "function", "function": {name, description, parameters}}}. */
  default Map<String, Object> schema() {
    return schema(name(), description(), parameters());
  }

  /**
   * A function's description as chat templates take it, in Hugging Face's key order:
   * {@code {"type": "function", "function": {"name", "description", "parameters"}}}.
   */
  static Map<String, Object> schema(String name, String description, Map<String, Object> parameters) {
    return OrderedMap.of("type", "function", "function", OrderedMap.of("name", name, "description", description,
        "parameters", parameters));
  }
}
