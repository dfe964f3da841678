package dev.asyncrl.core.config;

import java.util.List;

/**
 * One choice for a section whose keys depend on a selector value, e.g. {@code algorithm.name: vcpo}: the
 * choice's name, a one-line doc, and the settings that exist only when it is chosen.
 */
public record Variant(String name, String doc, List<Setting<?>> settings) {

  public Variant {
    settings = List.copyOf(settings);
  }
}
