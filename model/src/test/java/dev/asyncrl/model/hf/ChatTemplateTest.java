package dev.asyncrl.model.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.model.hf.ChatTemplate.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat templates Qwen2.5-Instruct and Llama-3-Instruct ship, rendered as transformers renders them. */
class ChatTemplateTest {

  @TempDir
  Path tmp;

  private static ChatTemplate template(String name) throws Exception {
    return ChatTemplate.fromTokenizerConfig(Path.of(ChatTemplateTest.class.getResource("/templates/" + name).toURI()));
  }

  private static final List<Message> CHAT = List.of(new Message("system", "You are terse."),
      new Message("user", "What is 2+3?"), new Message("assistant", "5"), new Message("user", "And 4*6?"));

  @Test
  void qwen25() throws Exception {
    ChatTemplate t = template("qwen2.5-tokenizer_config.json");
    assertEquals("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nWhat is 2+3?<|im_end|>\n"
        + "<|im_start|>assistant\n5<|im_end|>\n<|im_start|>user\nAnd 4*6?<|im_end|>\n<|im_start|>assistant\n",
        t.render(CHAT, true));
    assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
        + "<|im_start|>user\nhi<|im_end|>\n", t.render(List.of(new Message("user", "hi")), false),
        "without a system turn the default system prompt is used");
    assertEquals("<|im_end|>", t.eosToken());
  }

  @Test
  void llama3() throws Exception {
    ChatTemplate t = template("llama3-tokenizer_config.json");
    assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
        + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+3?<|eot_id|>"
        + "<|start_header_id|>assistant<|end_header_id|>\n\n5<|eot_id|>"
        + "<|start_header_id|>user<|end_header_id|>\n\nAnd 4*6?<|eot_id|>"
        + "<|start_header_id|>assistant<|end_header_id|>\n\n", t.render(CHAT, true));
    assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\npadded<|eot_id|>",
        t.render(List.of(new Message("user", "  padded \n")), false), "content is trimmed");
  }

  @Test
  void raiseExceptionAndMissingTemplatesAreClearErrors() throws Exception {
    ChatTemplate strict = new ChatTemplate("{% if messages[0]['role'] != 'user' %}{{ raise_exception('Conversation "
        + "must start with a user turn') }}{% endif %}{{ messages[0]['content'] }}", null, null, "test");
    assertEquals("hi", strict.render(List.of(new Message("user", "hi")), false));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> strict.render(List.of(new Message("assistant", "x")), false));
    assertTrue(e.getMessage().contains("Conversation must start with a user turn"), e.getMessage());
    Path noTemplate = tmp.resolve("tokenizer_config.json");
    Files.writeString(noTemplate, "{\"eos_token\": \"</s>\"}");
    e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.fromTokenizerConfig(noTemplate));
    assertTrue(e.getMessage().startsWith(noTemplate + ": no chat_template"), e.getMessage());
  }
}
