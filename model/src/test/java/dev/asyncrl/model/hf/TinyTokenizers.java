package dev.asyncrl.model.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

  /** GPT-2's byte → printable character table, as byte-level BPE vocabularies spell bytes. */
  static char[] byteSymbols() {
    List<Integer> bs = new ArrayList<>();
    for (int b = '!'; b <= '~'; b++) {
      bs.add(b);
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      bs.add(b);
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      bs.add(b);
    }
    char[] symbol = new char[256];
    for (int b : bs) {
      symbol[b] = (char) b;
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      if (!bs.contains(b)) {
        symbol[b] = (char) (256 + n++);
      }
    }
    return symbol;
  }

  public static Path writeQwenStyle(Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    try (InputStream in = TinyTokenizers.class.getResourceAsStream("/templates/qwen2.5-tokenizer_config.json")) {
      write(dir, List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"), json.readTree(in).toString());
    }
    Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [" + IM_END + ", " + ENDOFTEXT + "]}");
    return dir;
  }

  /**
   * The byte-level tokenizer with {@code specials} as added tokens (ids from 258 on) and {@code tokenizerConfig}
   * as tokenizer_config.json; no generation_config.json.
   */
  public static Path write(Path dir, List<String> specials, String tokenizerConfig) throws IOException {
    Files.createDirectories(dir);
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < specials.size(); i++) {
      added.addObject().put("id", ENDOFTEXT + i).put("content", specials.get(i)).put("single_word", false)
          .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
    }
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
        .put("use_regex", true);
    root.putNull("post_processor");
    root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
        .put("use_regex", true);
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    ObjectNode vocab = model.putObject("vocab");
    char[] symbol = byteSymbols();
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(symbol[b]), b);
    }
    String space = String.valueOf(symbol[' ']);
    vocab.put(space + "t", 256);
    vocab.put("he", 257);
    model.putArray("merges").add(space + " t").add("h e");
    Files.writeString(dir.resolve("tokenizer.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    Files.writeString(dir.resolve("tokenizer_config.json"), tokenizerConfig);
    return dir;
  }
}
