package dev.asyncrl.core.config;

import java.util.List;

/**
 * A value as written by the user, before it is checked against its {@link Setting}: either a scalar's text
 * or a list of scalar texts, together with its {@link Origin}.
 */
public record RawValue(String text, List<String> items, Origin origin) {

  public static RawValue scalar(String text, Origin origin) {
    return new RawValue(text, null, origin);
  }

  public static RawValue list(List<String> items, Origin origin) {
    return new RawValue(null, List.copyOf(items), origin);
  }

  public boolean isList() {
    return items != null;
  }

  /** What the user wrote, for error messages. */
  public String shown() {
    return isList() ? items.toString() : "'" + text + "'";
  }
}
