package dev.asyncrl.model.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model's chat template (the {@code chat_template} of its {@code tokenizer_config.json}) rendered with
 * Jinjava, configured as Hugging Face renders them ({@code trim_blocks} and {@code lstrip_blocks} on;
 * {@code raise_exception} and {@code strftime_now} available), so prompts are formatted exactly as the model
 * was trained.
 */
public final class ChatTemplate {

  /** One chat turn. */
  public record Message(String role, String content) {}

  private final String source;
  private final String template;
  private final String bosToken;
  private final String eosToken;
  private final Jinjava jinjava;

  public ChatTemplate(String template, String bosToken, String eosToken, String source) {
    this.template = template;
    this.bosToken = bosToken == null ? "" : bosToken;
    this.eosToken = eosToken == null ? "" : eosToken;
    this.source = source;
    JinjavaConfig config = JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
        .withFailOnUnknownTokens(false)
        .withLegacyOverrides(LegacyOverrides.newBuilder()
            .withUseTrimmingForNotesAndExpressions(true) // {{- ... -}} trims as in Python's Jinja
            .withParseWhitespaceControlStrictly(true)
            .withUseNaturalOperatorPrecedence(true)
            .withKeepNullableLoopValues(true)
            .build())
        .build();
    this.jinjava = new Jinjava(config);
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
        "raiseException", String.class));
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", ChatTemplate.class,
        "strftimeNow", String.class));
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

  public String eosToken() {
    return eosToken;
  }

  /** Renders {@code messages}; with {@code addGenerationPrompt} the text ends where the assistant's reply starts. */
  public String render(List<Message> messages, boolean addGenerationPrompt) {
    List<Map<String, Object>> turns = new ArrayList<>();
    for (Message m : messages) {
      Map<String, Object> turn = new LinkedHashMap<>();
      turn.put("role", m.role());
      turn.put("content", m.content());
      turns.add(turn);
    }
    Map<String, Object> context = new HashMap<>();
    context.put("messages", turns);
    context.put("add_generation_prompt", addGenerationPrompt);
    context.put("bos_token", bosToken);
    context.put("eos_token", eosToken);
    context.put("tools", null);
    RenderResult result = jinjava.renderForResult(template, context);
    for (TemplateError e : result.getErrors()) {
      if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
        throw new IllegalArgumentException(source + ": chat_template line " + e.getLineno() + ": " + reason(e));
      }
    }
    return result.getOutput();
  }

  /** The template's own message for {@code raise_exception}, else Jinjava's. */
  private static String reason(TemplateError e) {
    for (Throwable t = e.getException(); t != null; t = t.getCause()) {
      if (t instanceof TemplateRejection) {
        return t.getMessage();
      }
    }
    return e.getMessage();
  }

  /** What {@code raise_exception} throws. */
  static final class TemplateRejection extends RuntimeException {
    TemplateRejection(String message) {
      super(message);
    }
  }

  /** {@code raise_exception(message)} as templates call it to reject a conversation. */
  public static String raiseException(String message) {
    throw new TemplateRejection(message);
  }

  /** {@code strftime_now(format)} (Llama 3.1+ templates date their system prompt). */
  public static String strftimeNow(String format) {
    String java = format.replace("%d", "dd").replace("%b", "MMM").replace("%B", "MMMM").replace("%Y", "yyyy")
        .replace("%m", "MM").replace("%y", "yy");
    return LocalDate.now().format(DateTimeFormatter.ofPattern(java, Locale.ROOT));
  }
}
