package dev.asyncrl.rollout.apiworld;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One generated apiworld task: what the user asks, the state checks that decide how well it was done, which
 * items the task may change, and a reference solution (the calls a careful assistant makes, lookups included).
 * The reward is the share of checks passed, with "nothing else changed" as one more check, which counts only once
 * some check of the task itself passes: doing nothing earns 0, not a free share.
 *
 * @param instruction what the user asks
 * @param tier        1: one call with everything given; 2: a lookup, then one change; 3: several changes found by lookups
 * @param checks      what must hold afterwards, one check per thing the task asks for (a new note's title and its
 *                    text are two), so that getting part of a task right earns part of the reward
 * @param mayChange   which item keys ({@code note:7}, {@code balance}, …) the task may add, change or remove
 * @param solution    the reference calls, in order
 */
record ApiTask(String instruction, int tier, List<Check> checks, Predicate<String> mayChange, List<Call> solution) {

  /** A state check, with what it checks in words. */
  record Check(String what, Predicate<World> holds) {}

  /** A function call: name and arguments. */
  record Call(String name, Map<String, Object> arguments) {}

  /**
   * The share of checks that {@code after} passes, "nothing else changed" included once one of the task's own
   * checks passes. Without that condition a world left alone would earn 1/(checks + 1), on tier 1 a half: a model
   * whose calls are not yet right then learns to call nothing (seen in training), as RL finds the sure half.
   */
  double score(World before, World after) {
    int passed = 0;
    for (Check c : checks) {
      passed += c.holds().test(after) ? 1 : 0;
    }
    Set<String> changed = before.changedKeys(after);
    passed += passed > 0 && changed.stream().allMatch(mayChange) ? 1 : 0;
    return passed / (double) (checks.size() + 1);
  }
}
