package dev.asyncrl.rollout;

import java.util.List;
import java.util.Map;

/**
 * A kind of environment, the plug-in point for tasks of your own. A job names it with {@code task.name} (the
 * providers on the class path and in the {@code task.plugins} folder are found with {@link java.util.ServiceLoader}:
 * list the class in {@code META-INF/services/dev.asyncrl.rollout.EnvironmentProvider}) or with
 * {@code task.class} (the class name; a public no-argument constructor). Its parameters are the keys under
 * {@code task.params}.
 */
public interface EnvironmentProvider extends AutoCloseable {

  /** The name {@code task.name} selects this provider by. */
  String name();

  /**
   * Reads and checks this provider's parameters; called once per process, before any environment is made. A
   * bad value should fail through {@code params} so the error names its key and line.
   */
  default void configure(TaskParameters params) {}

  /**
   * For {@code --dry-run}: checks what can be checked before any episode, such as that a server answers; throws
   * with a message that says what is wrong. Called after {@link #configure}.
   */
  default void check() throws Exception {}

  /**
   * The functions the model may call in its turns, described to it through its chat template (each
   * {@code {"type": "function", "function": {"name", "description", "parameters"}}}); empty for none. Called after
   * {@link #configure}. Build them with {@link dev.asyncrl.rollout.tools.OrderedMap} (or other maps that keep their
   * order): {@code Map.of} iterates in an order drawn at every JVM start, and the prompt would change with it.
   */
  default List<Map<String, Object>> tools() {
    return List.of();
  }

  /**
   * A demonstration of task instance {@code instance}: the text of each turn a capable agent takes in that
   * episode (without the token that ends a turn), for supervised warm-up before RL ({@code sft.steps}). Empty,
   * the default, when the provider has none. Played through a fresh environment, it should earn the episode's
   * full reward.
   */
  default List<String> demonstration(long instance) {
    return List.of();
  }

  /** A fresh environment for one episode; called from the rollout workers' threads. */
  Environment create();

  /** Frees what the provider holds across episodes (connections, pools); called once, after the last episode. */
  @Override
  default void close() {}
}
