package dev.asyncrl.model.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The smallest real Hugging Face tokenizer: byte-level BPE in which every byte is a token (ids 0..255), plus
 * two merges and any special tokens (ids from 258 on). It lets a randomly initialised model folder be complete
 * without downloading a tokenizer: the tests and the GPU check use it.
 */
public final class ByteLevelTokenizer {
  private ByteLevelTokenizer() {}

  /** The id of the first special token. */
  public static final int FIRST_SPECIAL = 258;

  /** GPT-2's byte → printable character table, as byte-level BPE vocabularies spell bytes. */
  public static char[] byteSymbols() {
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
      added.addObject().put("id", FIRST_SPECIAL + i).put("content", specials.get(i)).put("single_word", false)
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
