package dev.asyncrl.model;

/** Text ↔ token ids for a policy: the built-in {@link CharTokenizer} or a model's Hugging Face tokenizer. */
public interface Tokenizer {

  /** Token ids of {@code text}, with no special tokens added (a chat template writes those as text). */
  int[] encode(String text);

  /** The text of a response: stops at the first stop token; special tokens are left out. */
  String decode(int[] ids);

  /**
   * The text of any ids, as a log shows them: every token, special and stop tokens written out (a chat prompt's
   * {@code <|im_end|>} and the turns after it).
   */
  String transcript(int[] ids);

  /** Ids the tokenizer can produce: every id is below this. */
  int vocabSize();

  /** Tokens that end a response (end of turn / end of text). */
  int[] stopTokens();

  /** The id that fills a batch row's unused positions (never attended to, never trained). */
  int padToken();
}
