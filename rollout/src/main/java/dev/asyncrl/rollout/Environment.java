package dev.asyncrl.rollout;

/**
 * A multi-turn environment, one episode at a time: the model acts, the environment answers, until it says the
 * episode is over or the horizon ({@code rollout.max_turns}) is reached. Implement it (and an
 * {@link EnvironmentProvider} that makes it) to train on a task of your own.
 *
 * <p>One episode's calls come one after another, from a thread of the rollout worker's pool, so an environment
 * need not be thread-safe; different episodes run on different instances at the same time. Anything thrown
 * ends the episode as a failure: it is counted ({@code rollout/failed_episodes}) and its group is not trained.
 */
public interface Environment extends AutoCloseable {

  /**
   * Begins an episode of task instance {@code instance}: the K episodes of one group get the same instance, so
   * their rewards compare. Draw the instance's randomness from it (e.g. {@code new SplittableRandom(instance)}).
   *
   * @return the first observation: the prompt, as text (the job's chat template, if any, makes it a user turn)
   */
  String reset(long instance) throws Exception;

  /** The model's turn; returns what the environment answers. Not called again after a step that is done. */
  Step step(Action action) throws Exception;

  /** Frees what the episode held; called once, after its last step or a failure. */
  @Override
  default void close() throws Exception {}

  /**
   * One model turn.
   *
   * @param text       the turn decoded, without its stop token
   * @param terminated whether the model ended the turn itself (a stop token) instead of reaching max_new_tokens
   */
  record Action(String text, boolean terminated) {}

  /**
   * The environment's answer to a turn.
   *
   * @param observation what the model sees next (unused when done)
   * @param reward      this turn's reward; the episode's reward is the sum over its turns
   * @param done        whether the episode is over
   * @param role        the chat role the observation is said in under a chat template: {@code user}, or
   *                    {@code tool} for a tool's result
   */
  record Step(String observation, double reward, boolean done, String role) {

    public Step {
      role = role == null ? "user" : role;
    }

    /** An answer said as the user's next turn. */
    public Step(String observation, double reward, boolean done) {
      this(observation, reward, done, "user");
    }

    /** The episode goes on with a tool's result, this turn rewarded 0. */
    public static Step tool(String result) {
      return new Step(result, 0, false, "tool");
    }

    /** The episode goes on with {@code observation}, this turn rewarded 0. */
    public static Step next(String observation) {
      return new Step(observation, 0, false);
    }

    /** The episode ends with this turn's {@code reward}. */
    public static Step end(double reward) {
      return new Step("", reward, true);
    }
  }
}
