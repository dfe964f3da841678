package dev.asyncrl.rollout.tools;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON objects whose keys keep the order they are written in, for what a model reads: tool schemas, call
 * arguments, tool results. {@code Map.of} iterates in an order drawn afresh at every JVM start, so a schema made
 * with it renders to other tokens in another process (a resumed run, a rollout-worker process, a model trained
 * in one run and loaded in the next), and in an order no model was trained on.
 */
public final class OrderedMap {

  private OrderedMap() {}

  /**
   * An unmodifiable map of {@code keysAndValues} (key, value, key, value, ...), iterated in that order.
   *
   * @throws IllegalArgumentException when a key is not a string or appears twice, or a key has no value
   */
  public static Map<String, Object> of(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("key '" + keysAndValues[keysAndValues.length - 1] + "' has no value");
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      if (!(keysAndValues[i] instanceof String key)) {
        throw new IllegalArgumentException("key " + keysAndValues[i] + " is not a string");
      }
      Object value = keysAndValues[i + 1];
      if (value == null) {
        throw new IllegalArgumentException("key '" + key + "' has a null value");
      }
      if (map.put(key, value) != null) {
        throw new IllegalArgumentException("key '" + key + "' appears twice");
      }
    }
    return Collections.unmodifiableMap(map);
  }
}
