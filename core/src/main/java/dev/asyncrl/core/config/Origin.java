package dev.asyncrl.core.config;

/** Where a configuration value came from: a YAML position, a command-line override, or the default. */
public record Origin(String source, int line, int column) {

  public static final Origin DEFAULT = new Origin("default", 0, 0);

  public static Origin override(String argument) {
    return new Origin("--set " + argument, 0, 0);
  }

  @Override
  public String toString() {
    return line > 0 ? source + ":" + line + ":" + column : source;
  }
}
