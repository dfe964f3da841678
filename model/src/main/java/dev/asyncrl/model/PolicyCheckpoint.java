package dev.asyncrl.model;

import dev.asyncrl.model.hf.SafetensorsFile;
import dev.asyncrl.model.hf.SafetensorsWriter;
import java.io.BufferedOutputStream;
import java.util.Map;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/** Policy parameters as a safetensors file, one tensor per parameter name. */
public final class PolicyCheckpoint {
  private PolicyCheckpoint() {}

  /** Writes atomically (temp file + rename), so a crash never leaves a half-written checkpoint. */
  public static void save(TransformerPolicy policy, Path file) {
    save(policy, file, null);
  }

  /** As {@link #save(TransformerPolicy, Path)}, also feeding every byte written to {@code digest} (if not null). */
  public static void save(TransformerPolicy policy, Path file, MessageDigest digest) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      OutputStream raw = Files.newOutputStream(tmp);
      try (OutputStream out = new BufferedOutputStream(digest == null ? raw : new DigestOutputStream(raw, digest),
          1 << 20)) {
        SafetensorsWriter.write(out, policy.parameters(), null, Map.of());
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + file, e);
    }
  }

  /** Reads the file and copies it into {@code policy}; fails naming the file on any mismatch. */
  public static void load(TransformerPolicy policy, Path file) {
    // The file's own errors name it; a mismatch with the model is named here.
    try (SafetensorsFile weights = SafetensorsFile.open(file);
         NDManager scratch = NDManager.newBaseManager(policy.device())) {
      NDList arrays = weights.readAll(scratch);
      try {
        policy.loadWeights(arrays);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
      }
    }
  }
}
