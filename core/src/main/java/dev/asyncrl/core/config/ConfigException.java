package dev.asyncrl.core.config;

import dev.asyncrl.core.BadInputException;

/**
 * A job configuration that cannot be accepted. The message is one line that names the key path and where
 * the value came from ({@code file:line:column} or {@code --set}), so the launcher prints it as is.
 */
public final class ConfigException extends BadInputException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
