package dev.asyncrl.algorithms;

/**
 * An entropy bonus: {@code −c·H_t} added per token inside the loss, with {@code H_t = −Σ_v p_v log p_v} the
 * entropy of the policy's (tempered) next-token distribution at a trained token. It keeps a policy from
 * collapsing onto one answer before its reward has been explored. {@code c = 0} (the default) computes no
 * entropy at all.
 */
public record EntropyBonus(double coef) {

  public static final EntropyBonus OFF = new EntropyBonus(0);

  public boolean active() {
    return coef > 0;
  }
}
