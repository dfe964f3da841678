package dev.asyncrl.model.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncrl.model.jinja.Strftime;
import dev.asyncrl.model.jinja.Template;
import dev.asyncrl.model.jinja.TemplateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A model's chat template (the {@code chat_template} of its {@code tokenizer_config.json}), rendered as
 * transformers' {@code apply_chat_template} renders it: by {@link Template}, which follows Python Jinja2,
 * with {@code messages}, {@code tools}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token},
 * any extra variables ({@code enable_thinking}, ...), {@code raise_exception} and {@code strftime_now}.
 * Message contents are data: a {@code {{2}}} in a math problem stays {@code {{2}}}.
 */
public final class ChatTemplate {

  /** One plain text turn. */
  public record Message(String role, String content) {
    Map<String, Object> asMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("role", role);
      m.put("content", content);
      return m;
    }
  }

  private final String source;
  private final Template template;
  private final String bosToken;
  private final String eosToken;
  private final Supplier<LocalDateTime> clock;

  /** @param source names the template in errors (its file) */
  public ChatTemplate(String template, String bosToken, String eosToken, String source) {
    this(template, bosToken, eosToken, source, LocalDateTime::now);
  }

  /** @param clock what {@code strftime_now} reads (a fixed date makes renders reproducible) */
  public ChatTemplate(String template, String bosToken, String eosToken, String source, Supplier<LocalDateTime> clock) {
    this.source = source;
    this.bosToken = bosToken == null ? "" : bosToken;
    this.eosToken = eosToken == null ? "" : eosToken;
    this.clock = clock;
    try {
      this.template = Template.parse(template);
    } catch (TemplateException e) {
      throw new IllegalArgumentException(source + ": chat_template line " + e.line() + ": " + e.getMessage());
    }
  }

  /**
   * The template of a {@code tokenizer_config.json}; when it holds several named templates, the one named
   * {@code default}.
   */
  public static ChatTemplate fromTokenizerConfig(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read as JSON: " + e.getMessage());
    }
    JsonNode t = root == null ? null : root.get("chat_template");
    String template = null;
    if (t != null && t.isTextual()) {
      template = t.asText();
    } else if (t != null && t.isArray()) {
      for (JsonNode named : t) {
        if ("default".equals(named.path("name").asText())) {
          template = named.path("template").asText();
        }
      }
    }
    if (template == null) {
      throw new IllegalArgumentException(file + ": no chat_template (a base model? set the prompt template instead)");
    }
    return new ChatTemplate(template, token(root.get("bos_token")), token(root.get("eos_token")), file.toString());
  }

  /** A special token is written as a string or as {@code {"content": ...}}. */
  static String token(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    return node.isObject() ? node.path("content").asText(null) : node.asText();
  }

  public String bosToken() {
    return bosToken;
  }

  /** Where the template came from (its file), as errors name it. */
  public String source() {
    return source;
  }

  public String eosToken() {
    return eosToken;
  }

  /** Renders plain text turns; with {@code addGenerationPrompt} the text ends where the assistant's reply starts. */
  public String render(List<Message> messages, boolean addGenerationPrompt) {
    return render(messages, null, addGenerationPrompt);
  }

  /** Renders plain text turns, telling the model about {@code tools} (JSON-schema descriptions, or null). */
  public String render(List<Message> messages, List<? extends Map<String, ?>> tools, boolean addGenerationPrompt) {
    List<Map<String, ?>> turns = new ArrayList<>();
    messages.forEach(m -> turns.add(m.asMap()));
    return render(turns, tools, addGenerationPrompt, Map.of());
  }

  /**
   * Renders a conversation in transformers' message format.
   *
   * @param messages turns as maps: {@code role}, {@code content}, and where used {@code tool_calls} (each
   *                 {@code {"type": "function", "function": {"name", "arguments"}}}), {@code tool_call_id},
   *                 {@code name}, {@code reasoning_content}
   * @param tools    JSON-schema tool descriptions, or null
   * @param extra    more template variables, e.g. {@code enable_thinking}
   * @throws IllegalArgumentException naming the template file and line, or the template's own message when it
   *     rejects the conversation ({@code raise_exception})
   */
  public String render(List<? extends Map<String, ?>> messages, List<? extends Map<String, ?>> tools,
      boolean addGenerationPrompt, Map<String, ?> extra) {
    Map<String, Object> variables = new LinkedHashMap<>(extra);
    variables.put("messages", messages);
    variables.put("tools", tools);
    variables.put("add_generation_prompt", addGenerationPrompt);
    variables.put("bos_token", bosToken);
    variables.put("eos_token", eosToken);
    Map<String, Function<List<Object>, Object>> functions =
        Map.of("strftime_now", args -> Strftime.format(String.valueOf(args.get(0)), clock.get()));
    try {
      return template.render(variables, functions);
    } catch (TemplateException e) {
      throw new IllegalArgumentException(e.raised() ? source + ": the chat template rejects this conversation: "
          + e.getMessage() : source + ": chat_template line " + e.line() + ": " + e.getMessage());
    }
  }

  /**
   * What the template writes right after an assistant turn's text (e.g. {@code <|eot_id|>},
   * {@code <|im_end|>\n}): it starts with the token that ends a model's turn. Empty when the template does
   * not render a short user/assistant exchange.
   */
  public String assistantTurnEnd() {
    String marker = "\u0001asyncrl-turn-end\u0001";
    try {
      String text = render(List.of(new Message("user", "hello"), new Message("assistant", marker)), false);
      int at = text.lastIndexOf(marker);
      return at < 0 ? "" : text.substring(at + marker.length());
    } catch (IllegalArgumentException e) {
      return "";
    }
  }
}
