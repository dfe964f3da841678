package dev.asyncrl.launcher;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 checksums of published weight files, as lowercase hex. */
final class WeightFiles {
  private WeightFiles() {}

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /** The digest's value as hex (and resets it). */
  static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }

  static String sha256(byte[] bytes) {
    MessageDigest d = newSha256();
    d.update(bytes);
    return hex(d);
  }
}
