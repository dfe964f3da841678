package dev.asyncrl.model;

import java.util.Arrays;

/**
 * The tokenizer of the built-in tasks: one token per character of a small alphabet, plus {@code <pad>} and
 * {@code <eos>}. Real models use their own Hugging Face tokenizer (a later issue).
 */
public final class CharTokenizer implements Tokenizer {

  public static final int PAD = 0;
  public static final int EOS = 1;
  private static final int SPECIALS = 2;
  /** Characters the built-in tasks use. */
  public static final String ALPHABET = "0123456789+-*=";

  private final int[] idOf = new int[128];

  public CharTokenizer() {
    Arrays.fill(idOf, -1);
    for (int i = 0; i < ALPHABET.length(); i++) {
      idOf[ALPHABET.charAt(i)] = SPECIALS + i;
    }
  }

  @Override
  public int[] stopTokens() {
    return new int[] {EOS};
  }

  @Override
  public int padToken() {
    return PAD;
  }

  @Override
  public int vocabSize() {
    return SPECIALS + ALPHABET.length();
  }

  @Override
  public int[] encode(String text) {
    int[] ids = new int[text.length()];
    for (int i = 0; i < ids.length; i++) {
      char c = text.charAt(i);
      int id = c < 128 ? idOf[c] : -1;
      if (id < 0) {
        throw new IllegalArgumentException("character '" + c + "' at " + i + " of \"" + text
            + "\" is not in the built-in alphabet \"" + ALPHABET + "\"");
      }
      ids[i] = id;
    }
    return ids;
  }

  /** How a sampled {@code <pad>} reads in decoded text. */
  public static final char PAD_TEXT = '_';

  /**
   * Decodes up to (not including) the first {@code <eos>}. A {@code <pad>} the model sampled reads as
   * {@link #PAD_TEXT}: were it dropped, a policy could pad its answer instead of ending it, and rewards that
   * judge the text would not see the difference (the quickstart found exactly that plateau).
   */
  @Override
  public String decode(int[] ids) {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      if (id == EOS) {
        break;
      }
      if (id < 0 || id >= vocabSize()) {
        throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocabSize());
      }
      sb.append(id == PAD ? PAD_TEXT : ALPHABET.charAt(id - SPECIALS));
    }
    return sb.toString();
  }

  /** Every id's character; {@code <eos>} written out. */
  @Override
  public String transcript(int[] ids) {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      sb.append(id == EOS ? "<eos>" : decode(new int[] {id}));
    }
    return sb.toString();
  }
}
