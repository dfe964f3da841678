package dev.asyncrl.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncrl.core.FileTrees;
import dev.asyncrl.model.hf.SafetensorsFile;
import dev.asyncrl.model.hf.SafetensorsWriter;
import java.io.BufferedOutputStream;
import dev.asyncrl.core.BadInputException;
import dev.asyncrl.core.Sha256;
import dev.asyncrl.datastore.StorePosition;
import dev.asyncrl.model.PolicyCheckpoint;
import dev.asyncrl.model.TransformerPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A checkpoint folder {@code step-N/}: {@code policy.safetensors}, {@code optimizer.safetensors} (AdamW
 * moments), {@code state.json} ({@link State}: step, policy version, optimizer step count, the store position
 * and the drop counters) and, written last, {@code manifest.json} with the size and SHA-256 of each of them.
 * The files are written into a temporary folder that is renamed into place, so a folder that exists is
 * complete; a restarted trainer resumes from the newest folder whose manifest verifies ({@link #latestIntact}).
 */
public final class TrainerCheckpoint {
  private TrainerCheckpoint() {}

  /** Everything besides the arrays that a resumed trainer needs to continue as if it had never stopped. */
  public record State(int step, long version, long optimizerSteps, StorePosition position, long droppedTotal,
      long filteredTotal) {}

  static final String POLICY = "policy.safetensors";
  static final String OPTIMIZER = "optimizer.safetensors";
  static final String STATE = "state.json";
  static final String MANIFEST = "manifest.json";
  private static final List<String> FILES = List.of(POLICY, OPTIMIZER, STATE);
  private static final ObjectMapper JSON = new ObjectMapper();

  public static Path save(Path root, State state, TransformerPolicy policy, AdamW optimizer) {
    return save(root, state, policy, optimizer, () -> {});
  }

  /** @param beforeRename runs when every file is written and the folder is not yet in place (fault drills) */
  static Path save(Path root, State state, TransformerPolicy policy, AdamW optimizer, Runnable beforeRename) {
    Path dir = root.resolve("step-" + state.step());
    Path tmp = root.resolve(".step-" + state.step() + ".tmp");
    try {
      FileTrees.delete(tmp);
      Files.createDirectories(tmp);
      Map<String, String> sha256 = new LinkedHashMap<>();
      MessageDigest digest = Sha256.newDigest();
      PolicyCheckpoint.save(policy, tmp.resolve(POLICY), digest);
      sha256.put(POLICY, Sha256.hex(digest));
      try (OutputStream out = new BufferedOutputStream(
          new DigestOutputStream(Files.newOutputStream(tmp.resolve(OPTIMIZER)), digest), 1 << 20)) {
        Map<String, NDArray> moments = new LinkedHashMap<>();
        optimizer.state().forEach(a -> moments.put(a.getName(), a));
        SafetensorsWriter.write(out, moments, null, Map.of());
      }
      sha256.put(OPTIMIZER, Sha256.hex(digest));
      byte[] stateJson = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(stateJson(state));
      Files.write(tmp.resolve(STATE), stateJson);
      sha256.put(STATE, Sha256.of(stateJson));
      ObjectNode manifest = JSON.createObjectNode();
      manifest.put("format", 1);
      manifest.put("step", state.step());
      ObjectNode files = manifest.putObject("files");
      for (Map.Entry<String, String> e : sha256.entrySet()) {
        files.putObject(e.getKey()).put("bytes", Files.size(tmp.resolve(e.getKey()))).put("sha256", e.getValue());
      }
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve(MANIFEST).toFile(), manifest);
      beforeRename.run();
      FileTrees.delete(dir);
      Files.move(tmp, dir);
      return dir;
    } catch (IOException | UncheckedIOException e) {
      IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
      deleteQuietly(tmp);
      throw new UncheckedIOException("cannot write checkpoint " + dir + ": " + describe(cause), cause);
    } catch (RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
  }

  private static ObjectNode stateJson(State state) {
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
    return json;
  }

  /** An I/O failure in words a user can act on: the file and the system's reason ("No space left on device"). */
  static String describe(IOException e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }

  /** The {@code step-N} folders under {@code root}, newest first. */
  static List<Path> candidates(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> d.getFileName().toString().matches("step-\\d{1,9}") && Files.isDirectory(d))
          .sorted(Comparator.comparingInt((Path d) -> Integer.parseInt(d.getFileName().toString().substring(5))).reversed())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + root + ": " + describe(e), e);
    }
  }

  /**
   * Deletes all but the newest {@code keep} complete checkpoints under {@code root} (complete: the manifest,
   * written last, is there), and any incomplete one older than those; never the newest complete one.
   *
   * @return the folders deleted
   */
  public static List<Path> prune(Path root, int keep) {
    List<Path> deleted = new ArrayList<>();
    int complete = 0;
    for (Path dir : candidates(root)) {
      if (complete >= keep) {
        try {
          FileTrees.delete(dir);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot delete old checkpoint " + dir + ": " + describe(e), e);
        }
        deleted.add(dir);
      } else if (Files.isRegularFile(dir.resolve(MANIFEST))) {
        complete++;
      }
    }
    return deleted;
  }

  /**
   * The newest {@code step-N} folder under {@code root} whose manifest verifies. Each newer folder that does not
   * is reported to {@code warn} by name and reason, and skipped.
   *
   * @return empty when there are no checkpoints at all
   * @throws BadInputException when there are checkpoints but none is intact (starting over would silently
   *                           discard the run)
   */
  public static Optional<Path> latestIntact(Path root, Consumer<String> warn) {
    List<String> damaged = new ArrayList<>();
    for (Path dir : candidates(root)) {
      Optional<String> problem = damage(dir);
      if (problem.isEmpty()) {
        return Optional.of(dir);
      }
      damaged.add(dir.getFileName() + " (" + problem.get() + ")");
      warn.accept("warning: checkpoint " + dir + " is damaged: " + problem.get() + "; trying an older one");
    }
    if (!damaged.isEmpty()) {
      throw new BadInputException("no intact checkpoint in " + root + ": " + String.join(", ", damaged)
          + "; restore one, or move the folder away to start the run over");
    }
    return Optional.empty();
  }

  /** Why {@code dir} is not a checkpoint to resume from, or empty when its manifest and state verify. */
  public static Optional<String> damage(Path dir) {
    Path manifestFile = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      return Optional.of("no " + MANIFEST);
    }
    JsonNode files;
    try {
      files = JSON.readTree(manifestFile.toFile()).path("files");
    } catch (IOException e) {
      return Optional.of(MANIFEST + " is not valid JSON");
    }
    for (String name : FILES) {
      JsonNode entry = files.path(name);
      Path file = dir.resolve(name);
      if (!entry.path("sha256").isTextual() || !entry.path("bytes").isIntegralNumber()) {
        return Optional.of(MANIFEST + " does not list " + name);
      }
      try {
        if (!Files.isRegularFile(file)) {
          return Optional.of(name + " is missing");
        }
        long size = Files.size(file);
        if (size != entry.get("bytes").asLong()) {
          return Optional.of(name + " has " + size + " bytes, the manifest says " + entry.get("bytes").asLong());
        }
        if (!Sha256.of(file).equals(entry.get("sha256").asText())) {
          return Optional.of(name + " does not match its SHA-256 in the manifest");
        }
      } catch (IOException | UncheckedIOException e) {
        return Optional.of("cannot read " + name);
      }
    }
    try {
      State state = readState(dir.resolve(STATE));
      if (!dir.getFileName().toString().equals("step-" + state.step())) {
        return Optional.of(STATE + " says step " + state.step());
      }
    } catch (IllegalArgumentException | UncheckedIOException e) {
      return Optional.of(e.getMessage());
    }
    return Optional.empty();
  }

  /** Reads {@code dir} into {@code policy} and {@code optimizer}; returns the rest of the state. */
  public static State load(Path dir, TransformerPolicy policy, AdamW optimizer) {
    State state = readState(dir.resolve(STATE));
    PolicyCheckpoint.load(policy, dir.resolve(POLICY));
    Path optimizerFile = dir.resolve(OPTIMIZER);
    try (SafetensorsFile moments = SafetensorsFile.open(optimizerFile);
         NDManager scratch = NDManager.newBaseManager(policy.device())) {
      NDList arrays = moments.readAll(scratch);
      try {
        optimizer.load(arrays, state.optimizerSteps());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(optimizerFile + ": " + e.getMessage(), e);
      }
    }
    return state;
  }

  /** The state of checkpoint {@code dir} (step, version, store position) without loading its arrays. */
  public static State state(Path dir) {
    return readState(dir.resolve(STATE));
  }

  /** Reads and validates {@code state.json}: every count present, whole and not negative, the step at least 1. */
  static State readState(Path file) {
    JsonNode json;
    try {
      json = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not valid JSON");
    }
    Map<Integer, Long> offsets = new HashMap<>();
    JsonNode offsetsNode = json.path("store_offsets");
    if (!offsetsNode.isMissingNode() && !offsetsNode.isObject()) {
      throw new IllegalArgumentException(file + ": 'store_offsets' must be an object of partition: offset");
    }
    offsetsNode.fields().forEachRemaining(e -> {
      if (!e.getKey().matches("\\d{1,9}") || !e.getValue().canConvertToLong() || !e.getValue().isIntegralNumber()
          || e.getValue().asLong() < 0) {
        throw new IllegalArgumentException(file + ": 'store_offsets' entry " + e.getKey() + ": " + e.getValue()
            + " is not a partition and a non-negative offset");
      }
      offsets.put(Integer.parseInt(e.getKey()), e.getValue().asLong());
    });
    long step = count(json, "step", file, 1, true);
    if (step > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(file + ": 'step' " + step + " is too large");
    }
    return new State((int) step, count(json, "policy_version", file, 0, true),
        count(json, "optimizer_steps", file, 0, true),
        new StorePosition(offsets, count(json, "store_consumed", file, 0, true), count(json, "store_skipped", file, 0, false)),
        count(json, "dropped_total", file, 0, true), count(json, "filtered_total", file, 0, false));
  }

  private static long count(JsonNode json, String key, Path file, long min, boolean required) {
    JsonNode v = json.get(key);
    if (v == null && !required) {
      return 0;
    }
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException(file + ": '" + key + "' is missing or not a whole number");
    }
    if (v.asLong() < min) {
      throw new IllegalArgumentException(file + ": '" + key + "' is " + v.asLong() + ", must be >= " + min);
    }
    return v.asLong();
  }

  private static void deleteQuietly(Path dir) {
    try {
      FileTrees.delete(dir);
    } catch (IOException ignored) {
      // the original failure is what the user needs to see
    }
  }
}
