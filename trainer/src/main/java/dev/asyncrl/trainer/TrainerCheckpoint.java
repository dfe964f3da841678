package dev.asyncrl.trainer;

import ai.djl.ndarray.NDList;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncrl.model.PolicyCheckpoint;
import dev.asyncrl.model.TransformerPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A checkpoint folder {@code step-N/}: {@code policy.safetensors}, {@code optimizer.safetensors} (AdamW
 * moments) and {@code state.json} (step, policy version, store position, drop count). Written into a
 * temporary folder and renamed, so a folder that exists is complete.
 */
public final class TrainerCheckpoint {
  private TrainerCheckpoint() {}

  public static Path save(Path root, int step, long version, long consumed, long droppedTotal,
      TransformerPolicy policy, AdamW optimizer) {
    Path dir = root.resolve("step-" + step);
    Path tmp = root.resolve(".step-" + step + ".tmp");
    try {
      Files.createDirectories(tmp);
      PolicyCheckpoint.save(policy, tmp.resolve("policy.safetensors"));
      try (OutputStream out = Files.newOutputStream(tmp.resolve("optimizer.safetensors"))) {
        optimizer.state().encode(out, NDList.Encoding.SAFETENSORS);
      }
      Map<String, Object> state = new LinkedHashMap<>();
      state.put("step", step);
      state.put("policy_version", version);
      state.put("optimizer_steps", optimizer.stepCount());
      state.put("store_consumed", consumed);
      state.put("dropped_total", droppedTotal);
      new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(tmp.resolve("state.json").toFile(), state);
      if (Files.exists(dir)) {
        try (var files = Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      Files.move(tmp, dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + dir, e);
    }
  }
}
