package dev.asyncrl.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version and git commit this build was made from (written at build time), so that a run records the code
 * that produced it. Outside a git checkout the commit is unknown.
 */
public final class BuildInfo {
  private BuildInfo() {}

  private static final Properties PROPERTIES = load();

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // an unreadable resource leaves the build unknown, which the description says
    }
    return p;
  }

  /** The project version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    return PROPERTIES.getProperty("git.build.version", "unknown");
  }

  /** e.g. {@code asyncrl 0.1.0-SNAPSHOT (commit 1a2b3c4, with uncommitted changes)}. */
  public static String describe() {
    String version = PROPERTIES.getProperty("git.build.version", "(version unknown)");
    String commit = PROPERTIES.getProperty("git.commit.id.abbrev");
    if (commit == null || commit.isEmpty()) {
      return "asyncrl " + version + " (commit unknown)";
    }
    return "asyncrl " + version + " (commit " + commit
        + ("true".equals(PROPERTIES.getProperty("git.dirty")) ? ", with uncommitted changes)" : ")");
  }
}
