package dev.asyncrl.core;

import dev.asyncrl.core.config.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The most model turns an episode may take, as a function of the training step: a fixed number, or a
 * schedule that lengthens the horizon as training goes (AgentGym-RL's ScalingInter-RL). Written {@code 6}, or
 * {@code [5, 10@100, 20@200]}: 5 turns from the start, 10 from step 100, 20 from step 200.
 *
 * @param turns     the horizon of each stage, each at least 1
 * @param fromStep  the step each stage starts at: 0 for the first, then strictly increasing
 */
public record HorizonSchedule(int[] turns, long[] fromStep) {

  public HorizonSchedule {
    if (turns.length == 0 || turns.length != fromStep.length || fromStep[0] != 0) {
      throw new IllegalArgumentException("a horizon schedule needs one or more stages, the first from step 0");
    }
    for (int i = 0; i < turns.length; i++) {
      if (turns[i] < 1 || i > 0 && fromStep[i] <= fromStep[i - 1]) {
        throw new IllegalArgumentException("stage " + i + ": turns must be >= 1 and steps strictly increasing");
      }
    }
    turns = turns.clone();
    fromStep = fromStep.clone();
  }

  public static HorizonSchedule fixed(int turns) {
    return new HorizonSchedule(new int[] {turns}, new long[] {0});
  }

  /** The horizon at {@code step}. */
  public int at(long step) {
    int stage = 0;
    while (stage + 1 < fromStep.length && fromStep[stage + 1] <= step) {
      stage++;
    }
    return turns[stage];
  }

  /** The longest horizon of any stage: what the context and the loss normaliser must allow for. */
  public int longest() {
    return Arrays.stream(turns).max().orElseThrow();
  }

  /** The last stage's horizon: the task the schedule trains toward, which evaluation plays. */
  public int last() {
    return turns[turns.length - 1];
  }

  /** A config value: an integer, or a list whose items are {@code TURNS} (the first) or {@code TURNS@STEP}. */
  public static final ValueType<HorizonSchedule> TYPE = new ValueType<>() {
    public HorizonSchedule parse(String text) {
      return parseList(List.of(text));
    }

    public HorizonSchedule parseList(List<String> items) {
      List<Integer> turns = new ArrayList<>();
      List<Long> steps = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        String[] parts = items.get(i).strip().split("@", -1);
        try {
          turns.add(Integer.valueOf(parts[0].strip()));
          if (parts.length > 2 || (parts.length == 2) == (i == 0)) {
            return null; // the first stage starts at step 0 and says no step; every later one says its step
          }
          steps.add(parts.length == 2 ? Long.parseLong(parts[1].strip()) : 0L);
        } catch (NumberFormatException e) {
          return null;
        }
      }
      try {
        return new HorizonSchedule(turns.stream().mapToInt(Integer::intValue).toArray(),
            steps.stream().mapToLong(Long::longValue).toArray());
      } catch (IllegalArgumentException e) {
        return null;
      }
    }

    public String description() {
      return "a number of turns (>= 1), or a schedule such as [5, 10@100, 20@200] (5 turns, 10 from step 100, 20 "
          + "from step 200; steps increasing)";
    }

    public String format(HorizonSchedule s) {
      if (s.turns.length == 1) {
        return String.valueOf(s.turns[0]);
      }
      StringBuilder out = new StringBuilder("[").append(s.turns[0]);
      for (int i = 1; i < s.turns.length; i++) {
        out.append(", ").append(s.turns[i]).append('@').append(s.fromStep[i]);
      }
      return out.append(']').toString();
    }
  };

  @Override
  public boolean equals(Object o) {
    return o instanceof HorizonSchedule h && Arrays.equals(turns, h.turns) && Arrays.equals(fromStep, h.fromStep);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(turns) + Arrays.hashCode(fromStep);
  }

  @Override
  public String toString() {
    return TYPE.format(this);
  }
}
