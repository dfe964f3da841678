package dev.asyncrl.model.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code namespace(...)}: the one object a template may change, so a loop can carry a value out. */
final class Namespace {
  final Map<String, Object> attributes = new LinkedHashMap<>();
}
