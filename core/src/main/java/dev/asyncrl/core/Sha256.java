package dev.asyncrl.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 checksums as lowercase hex: published weight files and checkpoint manifests. */
public final class Sha256 {
  private Sha256() {}

  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /** The digest's value as hex (and resets it). */
  public static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }

  public static String of(byte[] bytes) {
    MessageDigest d = newDigest();
    d.update(bytes);
    return hex(d);
  }

  /** The checksum of a file's contents, read in 1 MiB blocks. */
  public static String of(Path file) {
    MessageDigest d = newDigest();
    byte[] block = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(block)) > 0; ) {
        d.update(block, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return hex(d);
  }
}
