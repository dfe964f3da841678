package dev.asyncrl.runtime;

import java.io.IOException;
import java.net.InetAddress;

/** This machine's name, for file names and lock holders; never fails (a container may not resolve its own name). */
final class HostName {
  private HostName() {}

  static String get() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String env = System.getenv("HOSTNAME");
      return env != null && !env.isBlank() ? env : "localhost";
    }
  }
}
