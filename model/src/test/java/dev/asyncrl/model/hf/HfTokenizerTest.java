package dev.asyncrl.model.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.asyncrl.model.hf.ChatTemplate.Message;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTokenizerTest {

  @TempDir
  Path tmp;

  @Test
  void encodesDecodesAndKnowsItsSpecialTokens() throws Exception {
    try (HfTokenizer tok = HfTokenizer.load(TinyTokenizers.writeQwenStyle(tmp))) {
      assertEquals(TinyTokenizers.SIZE, tok.vocabSize());
      assertArrayEquals(new int[] {TinyTokenizers.IM_END, TinyTokenizers.ENDOFTEXT}, tok.stopTokens(),
          "generation_config's eos ids, then tokenizer_config's eos_token");
      assertEquals(TinyTokenizers.ENDOFTEXT, tok.padToken());
      int[] ids = tok.encode("he said 12 to them");
      assertEquals('s', ids[2], "bytes are their own ids");
      assertEquals(257, ids[0], "the merge h+e applies");
      assertEquals("he said 12 to them", tok.decode(ids));
      String chat = tok.chatTemplate().orElseThrow().render(List.of(new Message("user", "7*6?")), true);
      int[] prompt = tok.encode(chat);
      assertEquals(TinyTokenizers.IM_START, prompt[0], "special tokens in text encode as one id");
      int[] response = {'4', '2', TinyTokenizers.IM_END, 'x'};
      assertEquals("42", tok.decode(response), "decoding stops at the first stop token");
      assertEquals(chat, tok.transcript(prompt), "a transcript keeps every turn and writes special tokens out");
      assertEquals("42<|im_end|>x", tok.transcript(response));
      assertEquals("é", tok.decode(tok.encode("é")), "multi-byte characters survive");
    }
  }

  /**
   * A Llama 3 instruct folder whose config names only <|end_of_text|> and that has no generation_config.json:
   * the chat template ends assistant turns with <|eot_id|>, so generation must stop there too.
   */
  @Test
  void theTokenThatEndsAnAssistantTurnInTheChatTemplateStopsGeneration() throws Exception {
    var goldens = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        HfTokenizerTest.class.getResourceAsStream("/golden/chat-templates.json"));
    var config = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    config.put("chat_template", goldens.get("templates").get("llama3").get("chat_template").asText());
    config.put("bos_token", "<|begin_of_text|>");
    config.put("eos_token", "<|end_of_text|>");
    List<String> specials = List.of("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
        "<|eot_id|>");
    Path dir = TinyTokenizers.write(tmp, specials, config.toString());
    java.nio.file.Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": 259}");
    try (HfTokenizer tok = HfTokenizer.load(dir)) {
      int eot = tok.specialToken("<|eot_id|>").orElseThrow();
      assertEquals(262, eot);
      assertArrayEquals(new int[] {259, eot}, tok.stopTokens());
      assertEquals("42", tok.decode(new int[] {'4', '2', eot, '<'}));
    }
  }

  @Test
  void aTokenizerLargerThanTheModelVocabularyIsRejected() throws Exception {
    Path dir = TinyCheckpoints.writeCase(tmp, "llama3-f32"); // vocab_size 96
    TinyTokenizers.writeQwenStyle(dir);
    try (HfTokenizer tok = HfTokenizer.load(dir)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> tok.checkFits(HfConfig.read(dir), dir));
      assertEquals(dir.resolve("tokenizer.json") + ": the tokenizer has 261 tokens, but " + dir.resolve("config.json")
          + " has vocab_size 96", e.getMessage());
    }
  }

  @Test
  void missingTokenizerFileIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfTokenizer.load(tmp));
    assertEquals(tmp.resolve("tokenizer.json") + ": no such file (a Hugging Face model folder needs tokenizer.json)",
        e.getMessage());
  }
}
