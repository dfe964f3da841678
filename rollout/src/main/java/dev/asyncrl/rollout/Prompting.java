package dev.asyncrl.rollout;

import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.Tokenizer;
import dev.asyncrl.model.hf.ChatTemplate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How a task's text reaches the model: as is (the built-in tasks and the built-in model), or as the turns of
 * the model's chat template (instruct models), optionally after a system turn; then tokenized.
 *
 * @param chat null = the text is fed as is
 * @param systemPrompt null or empty = no system turn (the template may add its own default)
 */
public record Prompting(Tokenizer tokenizer, ChatTemplate chat, String systemPrompt,
                        List<Map<String, Object>> tools) {

  /** @param tools the descriptions of the tools the model may call, for the chat template; empty for none */
  public Prompting {
    tools = List.copyOf(tools);
  }

  public Prompting(Tokenizer tokenizer, ChatTemplate chat, String systemPrompt) {
    this(tokenizer, chat, systemPrompt, List.of());
  }

  public static Prompting raw(Tokenizer tokenizer) {
    return new Prompting(tokenizer, null, null);
  }

  /** The same, telling the model about {@code schemas} (tool descriptions) through its chat template. */
  public Prompting withTools(List<Map<String, Object>> schemas) {
    return new Prompting(tokenizer, chat, systemPrompt, schemas);
  }

  /** The text the model sees for {@code prompt}: the chat template's rendering up to the assistant's turn. */
  public String text(String prompt) {
    return chat == null ? prompt : render(opening(prompt), true);
  }

  private String render(List<ChatTemplate.Message> messages, boolean addGenerationPrompt) {
    return chat.render(messages, tools.isEmpty() ? null : tools, addGenerationPrompt);
  }

  public int[] encode(String prompt) {
    return tokenizer.encode(text(prompt));
  }

  private List<ChatTemplate.Message> opening(String prompt) {
    List<ChatTemplate.Message> turns = new ArrayList<>(2);
    if (systemPrompt != null && !systemPrompt.isEmpty()) {
      turns.add(new ChatTemplate.Message("system", systemPrompt));
    }
    turns.add(new ChatTemplate.Message("user", prompt));
    return turns;
  }

  /** A model turn as its environment receives it: decoded, and whether it ended with one of {@code sampling}'s stop tokens. */
  public Environment.Action action(int[] turn, SamplingParams sampling) {
    boolean terminated = turn.length > 0 && sampling.isStop(turn[turn.length - 1]);
    return new Environment.Action(tokenizer.decode(turn), terminated);
  }

  /**
   * The token a model ends its turn with: the first of the chat template's turn end (e.g. {@code <|im_end|>},
   * {@code <|eot_id|>}), else the first stop token.
   */
  public int turnEnd() {
    int[] end = chat == null ? new int[0] : tokenizer.encode(chat.assistantTurnEnd());
    return end.length > 0 ? end[0] : tokenizer.stopTokens()[0];
  }

  /** A new episode's conversation. */
  public Dialogue dialogue() {
    return new Dialogue();
  }

  /**
   * One episode's conversation, kept token for token as the model sees it: the model's turns are its sampled
   * ids, never re-tokenized, and what the environment says between them is the text the chat template puts
   * there, tokenized on its own. With a chat template that is: the end of the assistant's turn after its stop
   * token (e.g. the newline after {@code <|im_end|>}), the observation as the next user turn, and the header of
   * the assistant's next turn; so the whole sequence equals the template's rendering of the conversation
   * whenever the model's turns tokenize the way they decode. Without a template, the observation's text alone.
   */
  public final class Dialogue {
    private final List<ChatTemplate.Message> messages = new ArrayList<>();
    private String turnEnd; // the template's text after an assistant turn; found at the first reply

    private Dialogue() {}

    /** The first observation as the model sees it: the prompt's tokens. */
    public int[] open(String observation) {
      if (chat != null) {
        messages.addAll(opening(observation));
      }
      return encode(observation);
    }

    /**
     * The tokens between the model's turn that just ended and its next one.
     *
     * @param turn        the turn's sampled ids (ending with a stop token when {@code terminated})
     * @param text        the turn decoded, as the environment received it
     * @param observation the environment's answer
     * @param role        the role it is said in: {@code user}, or {@code tool} for a tool's result
     */
    public int[] reply(int[] turn, String text, boolean terminated, String observation, String role) {
      if (chat == null) {
        return tokenizer.encode(observation);
      }
      if (turnEnd == null) {
        turnEnd = chat.assistantTurnEnd();
      }
      messages.add(new ChatTemplate.Message("assistant", text));
      String before = render(messages, false);
      messages.add(new ChatTemplate.Message(role, observation));
      String after = render(messages, true);
      if (!after.startsWith(before)) {
        throw new IllegalStateException("the chat template renders earlier turns differently once a " + role
            + " turn follows (" + chat.source() + "), so an episode's tokens cannot equal its rendering");
      }
      int[] between = tokenizer.encode(turnEnd + after.substring(before.length()));
      // The model's stop token is the first token of the template's turn end: it was sampled, not said.
      boolean sampledEnd = terminated && between.length > 0 && turn.length > 0 && between[0] == turn[turn.length - 1];
      return sampledEnd ? Arrays.copyOfRange(between, 1, between.length) : between;
    }
  }
}
