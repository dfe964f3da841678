package dev.asyncrl.model.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a Qwen2-style tokenizer into a model folder: a byte-level BPE {@code tokenizer.json} (every byte is a
 * token, plus two merges), the special tokens {@code <|endoftext|>}, {@code <|im_start|>}, {@code <|im_end|>},
 * and a tokenizer_config.json with Qwen2.5's chat template.
 */
public final class TinyTokenizers {
  private TinyTokenizers() {}

  public static final int ENDOFTEXT = 258;
  public static final int IM_START = 259;
  public static final int IM_END = 260;
  /** Ids the tokenizer produces: 0..260. */
  public static final int SIZE = 261;

  public static Path writeQwenStyle(Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    try (InputStream in = TinyTokenizers.class.getResourceAsStream("/templates/qwen2.5-tokenizer_config.json")) {
      write(dir, List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"), json.readTree(in).toString());
    }
    Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [" + IM_END + ", " + ENDOFTEXT + "]}");
    return dir;
  }

  /** {@link ByteLevelTokenizer#write}. */
  public static Path write(Path dir, List<String> specials, String tokenizerConfig) throws IOException {
    return ByteLevelTokenizer.write(dir, specials, tokenizerConfig);
  }

  static char[] byteSymbols() {
    return ByteLevelTokenizer.byteSymbols();
  }
}
