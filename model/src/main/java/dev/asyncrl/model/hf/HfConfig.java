package dev.asyncrl.model.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a Hugging Face {@code config.json} that define a Llama-family decoder (Llama, Qwen2,
 * Mistral), validated with errors that name the file and key.
 *
 * @param qkvBias q/k/v projections have biases (always for Qwen2; {@code attention_bias} for Llama)
 * @param eosTokenIds every id in {@code eos_token_id} (a number or a list)
 * @param slidingWindow keys a query may see, itself included ({@code sliding_window}, Mistral; Qwen2 only with
 *                      {@code use_sliding_window}); 0 = full causal attention. asyncrl implements full attention
 *                      only, so a model loads only where the window cannot take effect (see {@link
 *                      #checkSequenceLength})
 */
public record HfConfig(String architecture, String modelType, int vocabSize, int hiddenSize, int intermediateSize,
    int layers, int heads, int kvHeads, int headDim, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
    int maxPositions, boolean tieWordEmbeddings, boolean qkvBias, boolean mlpBias, List<Integer> eosTokenIds,
    int bosTokenId, int slidingWindow) {

  /** Architectures whose weights and forward asyncrl implements. */
  public static final List<String> SUPPORTED = List.of("LlamaForCausalLM", "Qwen2ForCausalLM", "MistralForCausalLM");

  public static HfConfig read(Path dir) {
    Path file = dir.resolve("config.json");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException((Files.isDirectory(dir) ? file + ": no such file" : dir + ": no such model folder")
          + " (model.path must be a Hugging Face model folder)");
    }
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
    }
  }

  /** Parses config.json text; {@code where} names it in errors. */
  public static HfConfig parse(String json, String where) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(where + ": not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(where + ": not a JSON object");
    }
    return parse(root, where);
  }

  static HfConfig parse(JsonNode root, String where) {
    Reader r = new Reader(root, where);
    JsonNode archs = root.get("architectures");
    String arch = archs != null && archs.isArray() && archs.size() > 0 ? archs.get(0).asText() : null;
    if (arch == null || !SUPPORTED.contains(arch)) {
      throw new IllegalArgumentException(where + ": architectures " + (archs == null ? "is missing" : archs.toString())
          + "; supported: " + String.join(", ", SUPPORTED));
    }
    String modelType = root.path("model_type").asText("");
    if (!"silu".equals(root.path("hidden_act").asText("silu"))) {
      throw new IllegalArgumentException(where + ": hidden_act " + root.get("hidden_act") + " is not supported (silu only)");
    }
    int hidden = r.positive("hidden_size");
    int heads = r.positive("num_attention_heads");
    int kvHeads = root.has("num_key_value_heads") && !root.get("num_key_value_heads").isNull()
        ? r.positive("num_key_value_heads") : heads;
    if (heads % kvHeads != 0) {
      throw new IllegalArgumentException(where + ": num_attention_heads " + heads + " is not a multiple of "
          + "num_key_value_heads " + kvHeads);
    }
    int headDim = root.has("head_dim") && !root.get("head_dim").isNull() ? r.positive("head_dim") : hidden / heads;
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException(where + ": head dimension " + headDim + " must be even for rotary embeddings");
    }
    boolean qwen2 = arch.equals("Qwen2ForCausalLM");
    // Qwen2 configs carry sliding_window but apply it only with use_sliding_window; Mistral applies it when set.
    boolean windowed = qwen2 ? root.path("use_sliding_window").asBoolean(false)
        : root.has("sliding_window") && !root.get("sliding_window").isNull();
    return new HfConfig(arch, modelType, r.positive("vocab_size"), hidden, r.positive("intermediate_size"),
        r.positive("num_hidden_layers"), heads, kvHeads, headDim, r.number("rms_norm_eps", 1e-6),
        r.number("rope_theta", 10000), ropeScaling(root.get("rope_scaling"), where, root),
        r.positiveOr("max_position_embeddings", 2048), root.path("tie_word_embeddings").asBoolean(false),
        qwen2 || root.path("attention_bias").asBoolean(false), root.path("mlp_bias").asBoolean(false),
        ids(root.get("eos_token_id")), root.path("bos_token_id").asInt(-1), windowed ? r.positive("sliding_window") : 0);
  }

  private static RopeScaling ropeScaling(JsonNode node, String where, JsonNode root) {
    if (node == null || node.isNull()) {
      return RopeScaling.NONE;
    }
    String type = node.has("rope_type") ? node.get("rope_type").asText() : node.path("type").asText("default");
    Reader r = new Reader(node, where + " rope_scaling");
    int original = node.has("original_max_position_embeddings")
        ? r.positive("original_max_position_embeddings") : root.path("max_position_embeddings").asInt(2048);
    return switch (type) {
      case "default" -> RopeScaling.NONE;
      case "linear" -> new RopeScaling("linear", r.number("factor", 1), 0, 0, original, 1, 0, 0);
      case "llama3" -> new RopeScaling("llama3", r.number("factor", 8), r.number("low_freq_factor", 1),
          r.number("high_freq_factor", 4), original, 1, 0, 0);
      case "yarn" -> {
        double factor = r.number("factor", 1);
        double attention = node.has("attention_factor") ? r.number("attention_factor", 1)
            : factor <= 1 ? 1 : 0.1 * Math.log(factor) + 1;
        yield new RopeScaling("yarn", factor, 0, 0, original, attention, r.number("beta_fast", 32),
            r.number("beta_slow", 1));
      }
      default -> throw new IllegalArgumentException(where + ": rope_scaling type '" + type
          + "' is not supported (default, linear, llama3, yarn)");
    };
  }

  /** Token ids written as a number or a list ({@code eos_token_id}); empty when absent. */
  static List<Integer> ids(JsonNode node) {
    List<Integer> out = new ArrayList<>();
    if (node != null && node.isArray()) {
      node.forEach(n -> out.add(n.asInt()));
    } else if (node != null && node.isNumber()) {
      out.add(node.asInt());
    }
    return List.copyOf(out);
  }

  /**
   * Checks that sequences of {@code maxSeqLen} tokens fit this model: at most {@code max_position_embeddings},
   * and within the sliding window, where full causal attention (all asyncrl computes) equals windowed attention.
   *
   * @param where names config.json in the error
   */
  public void checkSequenceLength(int maxSeqLen, Object where) {
    if (maxSeqLen > maxPositions) {
      throw new IllegalArgumentException(where + ": max_position_embeddings " + maxPositions
          + " is shorter than the " + maxSeqLen + " tokens this run needs");
    }
    int longest = maxSeqLen > 0 ? maxSeqLen : maxPositions;
    if (slidingWindow > 0 && longest > slidingWindow) {
      throw new IllegalArgumentException(where + ": sliding_window " + slidingWindow + " is shorter than the "
          + longest + " tokens this run needs, and sliding-window attention is not implemented; set model.max_seq_len "
          + "to at most " + slidingWindow);
    }
  }

  /**
   * This config as config.json text (the keys other tools read), for saving a trained model whose weights are
   * stored as {@code storage}.
   */
  public String toJson(TensorDType storage) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode o = json.createObjectNode();
    o.putArray("architectures").add(architecture);
    o.put("model_type", modelType);
    o.put("vocab_size", vocabSize);
    o.put("hidden_size", hiddenSize);
    o.put("intermediate_size", intermediateSize);
    o.put("num_hidden_layers", layers);
    o.put("num_attention_heads", heads);
    o.put("num_key_value_heads", kvHeads);
    o.put("head_dim", headDim);
    o.put("hidden_act", "silu");
    o.put("rms_norm_eps", rmsNormEps);
    o.put("rope_theta", ropeTheta);
    o.put("max_position_embeddings", maxPositions);
    o.put("tie_word_embeddings", tieWordEmbeddings);
    if (slidingWindow > 0) {
      o.put("sliding_window", slidingWindow);
      if (architecture.equals("Qwen2ForCausalLM")) {
        o.put("use_sliding_window", true);
      }
    }
    if (!architecture.equals("Qwen2ForCausalLM")) {
      o.put("attention_bias", qkvBias);
      o.put("mlp_bias", mlpBias);
    }
    if (!ropeScaling.type().equals("default")) {
      ObjectNode rs = o.putObject("rope_scaling");
      rs.put("rope_type", ropeScaling.type());
      rs.put("factor", ropeScaling.factor());
      rs.put("original_max_position_embeddings", ropeScaling.originalMaxPositions());
      if (ropeScaling.type().equals("llama3")) {
        rs.put("low_freq_factor", ropeScaling.lowFreqFactor());
        rs.put("high_freq_factor", ropeScaling.highFreqFactor());
      }
      if (ropeScaling.type().equals("yarn")) {
        rs.put("attention_factor", ropeScaling.attentionFactor());
        rs.put("beta_fast", ropeScaling.betaFast());
        rs.put("beta_slow", ropeScaling.betaSlow());
      }
    }
    if (bosTokenId >= 0) {
      o.put("bos_token_id", bosTokenId);
    }
    if (eosTokenIds.size() == 1) {
      o.put("eos_token_id", eosTokenIds.get(0));
    } else if (!eosTokenIds.isEmpty()) {
      var a = o.putArray("eos_token_id");
      eosTokenIds.forEach(a::add);
    }
    o.put("torch_dtype", storage.torchName());
    try {
      return json.writerWithDefaultPrettyPrinter().writeValueAsString(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads typed keys with errors naming the file and key. */
  private record Reader(JsonNode root, String where) {
    int positive(String key) {
      JsonNode n = root.get(key);
      if (n == null || n.isNull()) {
        throw new IllegalArgumentException(where + ": " + key + " is missing");
      }
      if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() <= 0) {
        throw new IllegalArgumentException(where + ": " + key + " must be a positive integer, got " + n);
      }
      return n.asInt();
    }

    int positiveOr(String key, int fallback) {
      return root.has(key) && !root.get(key).isNull() ? positive(key) : fallback;
    }

    double number(String key, double fallback) {
      JsonNode n = root.get(key);
      if (n == null || n.isNull()) {
        return fallback;
      }
      if (!n.isNumber()) {
        throw new IllegalArgumentException(where + ": " + key + " must be a number, got " + n);
      }
      return n.asDouble();
    }
  }
}
