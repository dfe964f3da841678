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
      assertEquals("é", tok.decode(tok.encode("é")), "multi-byte characters survive");
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
