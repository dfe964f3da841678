package dev.asyncrl.trainer;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncrl.datastore.StorePosition;
import dev.asyncrl.model.PolicyCheckpoint;
import dev.asyncrl.model.TransformerPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A checkpoint folder {@code step-N/}: {@code policy.safetensors}, {@code optimizer.safetensors} (AdamW
 * moments) and {@code state.json} ({@link State}: step, policy version, optimizer step count, the store
 * position and the drop counters). Written into a temporary folder and renamed, so a folder that exists is
 * complete; a restarted trainer resumes from the newest one.
 */
public final class TrainerCheckpoint {
  private TrainerCheckpoint() {}

  /** Everything besides the arrays that a resumed trainer needs to continue as if it had never stopped. */
  public record State(int step, long version, long optimizerSteps, StorePosition position, long droppedTotal,
      long filteredTotal) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  public static Path save(Path root, State state, TransformerPolicy policy, AdamW optimizer) {
    Path dir = root.resolve("step-" + state.step());
    Path tmp = root.resolve(".step-" + state.step() + ".tmp");
    try {
      deleteTree(tmp);
      Files.createDirectories(tmp);
      PolicyCheckpoint.save(policy, tmp.resolve("policy.safetensors"));
      try (OutputStream out = Files.newOutputStream(tmp.resolve("optimizer.safetensors"))) {
        optimizer.state().encode(out, NDList.Encoding.SAFETENSORS);
      }
      ObjectNode json = JSON.createObjectNode();
      json.put("step", state.step());
      json.put("policy_version", state.version());
      json.put("optimizer_steps", state.optimizerSteps());
      json.put("store_consumed", state.position().consumed());
      json.put("store_skipped", state.position().skipped());
      ObjectNode offsets = json.putObject("store_offsets");
      state.position().offsets().forEach((p, o) -> offsets.put(String.valueOf(p), o));
      json.put("dropped_total", state.droppedTotal());
      json.put("filtered_total", state.filteredTotal());
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve("state.json").toFile(), json);
      deleteTree(dir);
      Files.move(tmp, dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + dir, e);
    }
  }

  /** The newest complete {@code step-N} folder under {@code root}, if any. */
  public static Optional<Path> latest(Path root) {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> d.getFileName().toString().matches("step-\\d+") && Files.exists(d.resolve("state.json")))
          .max(Comparator.comparingInt(d -> Integer.parseInt(d.getFileName().toString().substring(5))));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + root, e);
    }
  }

  /** Reads {@code dir} into {@code policy} and {@code optimizer}; returns the rest of the state. */
  public static State load(Path dir, TransformerPolicy policy, AdamW optimizer) {
    State state = readState(dir.resolve("state.json"));
    PolicyCheckpoint.load(policy, dir.resolve("policy.safetensors"));
    Path optimizerFile = dir.resolve("optimizer.safetensors");
    try (NDManager scratch = NDManager.newBaseManager(policy.device());
         InputStream in = Files.newInputStream(optimizerFile)) {
      optimizer.load(NDList.decode(scratch, in), state.optimizerSteps());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + optimizerFile, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(optimizerFile + ": " + e.getMessage(), e);
    }
    return state;
  }

  static State readState(Path file) {
    try {
      JsonNode json = JSON.readTree(file.toFile());
      Map<Integer, Long> offsets = new HashMap<>();
      json.path("store_offsets").fields().forEachRemaining(e -> offsets.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
      return new State(required(json, "step", file).asInt(), required(json, "policy_version", file).asLong(),
          required(json, "optimizer_steps", file).asLong(),
          new StorePosition(offsets, required(json, "store_consumed", file).asLong(), json.path("store_skipped").asLong(0)),
          required(json, "dropped_total", file).asLong(), json.path("filtered_total").asLong(0));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint state " + file + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode required(JsonNode json, String key, Path file) {
    JsonNode v = json.get(key);
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException(file + ": '" + key + "' is missing or not a number");
    }
    return v;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      }
    }
  }
}
