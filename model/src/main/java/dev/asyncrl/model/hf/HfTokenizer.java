package dev.asyncrl.model.hf;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncrl.model.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A model folder's {@code tokenizer.json} through DJL's Hugging Face tokenizers (native, offline; no
 * truncation, no padding, no special tokens added), with what the folder says about special tokens:
 * stop tokens are the union of {@code eos_token_id} in config.json and generation_config.json, the special
 * token that ends an assistant turn in the chat template, and the
 * {@code eos_token} of tokenizer_config.json; the chat template comes from tokenizer_config.json.
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {

  private final Path dir;
  private final HuggingFaceTokenizer tokenizer;
  private final int vocabSize;
  private final Map<String, Integer> addedTokens;
  private final int[] stopTokens;
  private final Set<Integer> stopSet;
  private final int padToken;
  private final ChatTemplate chatTemplate;

  private HfTokenizer(Path dir, HuggingFaceTokenizer tokenizer, int vocabSize, Map<String, Integer> addedTokens,
      int[] stopTokens, int padToken, ChatTemplate chatTemplate) {
    this.dir = dir;
    this.tokenizer = tokenizer;
    this.vocabSize = vocabSize;
    this.addedTokens = addedTokens;
    this.stopTokens = stopTokens;
    this.stopSet = Arrays.stream(stopTokens).boxed().collect(java.util.stream.Collectors.toUnmodifiableSet());
    this.padToken = padToken;
    this.chatTemplate = chatTemplate;
  }

  /**
   * The tokenizer of model folder {@code dir}, checked against the model's {@code config.json}: every id it
   * produces must have a row in the embedding.
   */
  public static HfTokenizer forModel(Path dir) {
    HfConfig config = HfConfig.read(dir);
    HfTokenizer tokenizer = load(dir);
    try {
      tokenizer.checkFits(config, dir);
    } catch (IllegalArgumentException e) {
      tokenizer.close();
      throw e;
    }
    return tokenizer;
  }

  /** Loads the tokenizer of model folder {@code dir}. */
  public static HfTokenizer load(Path dir) {
    Path file = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + ": no such file (a Hugging Face model folder needs tokenizer.json)");
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode root;
    try {
      root = json.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage());
    }
    int maxId = -1;
    Map<String, Integer> added = new HashMap<>();
    for (JsonNode t : root.path("added_tokens")) {
      added.put(t.path("content").asText(), t.path("id").asInt());
      maxId = Math.max(maxId, t.path("id").asInt());
    }
    for (Iterator<JsonNode> it = root.path("model").path("vocab").elements(); it.hasNext(); ) {
      JsonNode id = it.next();
      if (id.isInt()) {
        maxId = Math.max(maxId, id.asInt());
      } else if (id.isArray()) { // Unigram: [piece, score] pairs, the id is the position
        maxId = root.path("model").path("vocab").size() - 1;
        break;
      }
    }
    HuggingFaceTokenizer hf;
    try {
      hf = HuggingFaceTokenizer.builder().optTokenizerPath(file).optAddSpecialTokens(false).optTruncation(false)
          .optPadding(false).build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(file + ": cannot load tokenizer: " + e.getMessage(), e);
    }
    Path configFile = dir.resolve("tokenizer_config.json");
    JsonNode tokenizerConfig = readOptional(json, configFile);
    Set<Integer> stops = new LinkedHashSet<>();
    stops.addAll(HfConfig.ids(readOptional(json, dir.resolve("config.json")).get("eos_token_id")));
    stops.addAll(HfConfig.ids(readOptional(json, dir.resolve("generation_config.json")).get("eos_token_id")));
    String eos = ChatTemplate.token(tokenizerConfig.get("eos_token"));
    if (eos != null && added.containsKey(eos)) {
      stops.add(added.get(eos));
    }
    String pad = ChatTemplate.token(tokenizerConfig.get("pad_token"));
    int padId = pad != null && added.containsKey(pad) ? added.get(pad)
        : stops.isEmpty() ? 0 : stops.iterator().next();
    ChatTemplate template = tokenizerConfig.has("chat_template") ? ChatTemplate.fromTokenizerConfig(configFile) : null;
    if (template != null) {
      turnEndToken(template.assistantTurnEnd(), added).ifPresent(stops::add);
    }
    return new HfTokenizer(dir, hf, maxId + 1, Map.copyOf(added), stops.stream().mapToInt(Integer::intValue).toArray(),
        padId, template);
  }

  /**
   * The special token that starts {@code turnEnd} (what the chat template writes after an assistant's text):
   * the model ends its turn with it, so generation stops there even when config.json and
   * generation_config.json name only the end-of-text token (Llama 3 folders without generation_config.json).
   */
  static Optional<Integer> turnEndToken(String turnEnd, Map<String, Integer> added) {
    String best = null;
    for (String token : added.keySet()) {
      if (!token.isEmpty() && turnEnd.startsWith(token) && (best == null || token.length() > best.length())) {
        best = token;
      }
    }
    return Optional.ofNullable(best).map(added::get);
  }

  private static JsonNode readOptional(ObjectMapper json, Path file) {
    if (!Files.isRegularFile(file)) {
      return json.createObjectNode();
    }
    try {
      return json.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage());
    }
  }

  public Path dir() {
    return dir;
  }

  /** The chat template of tokenizer_config.json, if the model has one (instruct models do). */
  public Optional<ChatTemplate> chatTemplate() {
    return Optional.ofNullable(chatTemplate);
  }

  /** The id of special token {@code content} (e.g. {@code <|im_end|>}), if the tokenizer has it. */
  public Optional<Integer> specialToken(String content) {
    return Optional.ofNullable(addedTokens.get(content));
  }

  @Override
  public int[] encode(String text) {
    return Arrays.stream(tokenizer.encode(text, false, false).getIds()).mapToInt(Math::toIntExact).toArray();
  }

  @Override
  public String decode(int[] ids) {
    int end = 0;
    while (end < ids.length && !stopSet.contains(ids[end])) {
      end++;
    }
    long[] kept = new long[end];
    for (int i = 0; i < end; i++) {
      kept[i] = ids[i];
    }
    return tokenizer.decode(kept, true);
  }

  @Override
  public String transcript(int[] ids) {
    return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), false);
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int[] stopTokens() {
    return stopTokens.clone();
  }

  @Override
  public int padToken() {
    return padToken;
  }

  /**
   * Checks that every id this tokenizer can produce has a row in the model's embedding (models often have
   * more rows than tokens, never fewer).
   */
  public void checkFits(HfConfig model, Path modelDir) {
    if (vocabSize > model.vocabSize()) {
      throw new IllegalArgumentException(dir.resolve("tokenizer.json") + ": the tokenizer has " + vocabSize
          + " tokens, but " + modelDir.resolve("config.json") + " has vocab_size " + model.vocabSize());
    }
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
