package dev.asyncrl.rollout;

import dev.asyncrl.core.Trajectory;
import dev.asyncrl.model.GenerationEngine;
import java.util.Arrays;

/**
 * One episode in flight: its environment, its conversation, and every token so far in the order the model saw
 * them. The model's turns are kept as sampled (ids, behaviour log-probs, versions; mask 1); the environment's
 * tokens between them have mask 0, log-prob 0 and the version of the turn they answer. Its trajectory is
 * exactly this sequence: nothing is re-tokenized.
 */
final class Episode {

  final Environment environment;
  final Prompting.Dialogue dialogue;
  private int[] prompt = new int[0];
  private String opening;
  private int[] tokens = new int[16];
  private float[] logProbs = new float[16];
  private byte[] mask = new byte[16];
  private long[] versions = new long[16];
  private int length;
  private int turns;
  private double reward;

  Episode(Environment environment, Prompting.Dialogue dialogue) {
    this.environment = environment;
    this.dialogue = dialogue;
  }

  void open(String observation, int[] tokens) {
    opening = observation;
    prompt = tokens.clone();
  }

  /** The first observation's text; null before it came back. */
  String opening() {
    return opening;
  }

  /** Everything the model has seen so far: the prompt, then the turns and observations. */
  int[] context() {
    int[] c = Arrays.copyOf(prompt, prompt.length + length);
    System.arraycopy(tokens, 0, c, prompt.length, length);
    return c;
  }

  int contextLength() {
    return prompt.length + length;
  }

  int turns() {
    return turns;
  }

  double reward() {
    return reward;
  }

  void addTurn(GenerationEngine.Completion turn) {
    for (int k = 0; k < turn.tokens().length; k++) {
      add(turn.tokens()[k], turn.logProbs()[k], (byte) 1, turn.versions()[k]);
    }
    turns++;
  }

  /** A turn that was not sampled (a demonstration's): trained like a sampled one, with log-prob 0 and version 0. */
  void addTurn(int[] ids) {
    for (int id : ids) {
      add(id, 0f, (byte) 1, 0);
    }
    turns++;
  }

  void addReward(double r) {
    reward += r;
  }

  /** The environment's tokens after the latest turn. */
  void addObservation(int[] observation) {
    long version = versions[length - 1];
    for (int id : observation) {
      add(id, 0f, (byte) 0, version);
    }
  }

  private void add(int token, float logProb, byte m, long version) {
    if (length == tokens.length) {
      int n = 2 * length;
      tokens = Arrays.copyOf(tokens, n);
      logProbs = Arrays.copyOf(logProbs, n);
      mask = Arrays.copyOf(mask, n);
      versions = Arrays.copyOf(versions, n);
    }
    tokens[length] = token;
    logProbs[length] = logProb;
    mask[length] = m;
    versions[length] = version;
    length++;
  }

  Trajectory trajectory(long generationNanos) {
    return Trajectory.withTokenVersions(prompt, Arrays.copyOf(tokens, length), Arrays.copyOf(logProbs, length),
        Arrays.copyOf(mask, length), reward, generationNanos, Arrays.copyOf(versions, length));
  }

  /**
   * {@code step} when an episode can use it: not null, a finite reward, and an observation when the episode goes
   * on; otherwise an {@link InvalidStepException} saying what is wrong.
   */
  static Environment.Step checked(Environment.Step step, boolean goesOn) {
    if (step == null || !Double.isFinite(step.reward())) {
      throw new InvalidStepException(step == null ? "step returned null" : "step returned reward " + step.reward());
    }
    if (goesOn && !step.done() && step.observation() == null) {
      throw new InvalidStepException("step returned no observation for an episode that is not done");
    }
    return step;
  }

  /** An environment's step gave an answer the episode cannot use. */
  static final class InvalidStepException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidStepException(String message) {
      super(message);
    }
  }
}
