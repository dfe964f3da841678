package dev.asyncrl.rollout;

import dev.asyncrl.model.Tokenizer;
import dev.asyncrl.model.hf.ChatTemplate;
import java.util.ArrayList;
import java.util.List;

/**
 * How a task's prompt text reaches the model: as is (the built-in tasks), or as the user turn of the model's
 * chat template (instruct models), optionally after a system turn; then tokenized.
 *
 * @param chat null = the prompt text is fed as is
 * @param systemPrompt null or empty = no system turn (the template may add its own default)
 */
public record Prompting(Tokenizer tokenizer, ChatTemplate chat, String systemPrompt) {

  public static Prompting raw(Tokenizer tokenizer) {
    return new Prompting(tokenizer, null, null);
  }

  /** The text the model sees for {@code prompt}: the chat template's rendering up to the assistant's turn. */
  public String text(String prompt) {
    if (chat == null) {
      return prompt;
    }
    List<ChatTemplate.Message> turns = new ArrayList<>(2);
    if (systemPrompt != null && !systemPrompt.isEmpty()) {
      turns.add(new ChatTemplate.Message("system", systemPrompt));
    }
    turns.add(new ChatTemplate.Message("user", prompt));
    return chat.render(turns, true);
  }

  public int[] encode(String prompt) {
    return tokenizer.encode(text(prompt));
  }
}
