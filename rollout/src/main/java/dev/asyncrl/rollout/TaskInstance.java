package dev.asyncrl.rollout;

/** One prompt of a task and the answer its reward function checks against. */
public record TaskInstance(String prompt, String answer) {}
