package dev.asyncrl.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The user's configuration as flat dotted paths ({@code trainer.lr}) to {@link RawValue}s, each with its
 * origin, read from YAML and then from {@code --set path=value} overrides. Nothing is typed or checked here;
 * {@link ConfigSchema} does that.
 */
public final class ConfigSource {

  private final Map<String, RawValue> values = new LinkedHashMap<>();
  private final Map<String, Origin> mappings = new LinkedHashMap<>();

  /**
   * Reads {@code file}. A top-level {@code defaults:} (a path, or a list of paths, relative to the file) composes
   * it from other config files first: each default in order, then the file's own keys, each overriding what came
   * before. Every value keeps the file and line it came from.
   */
  public static ConfigSource fromFile(Path file) {
    return fromFile(file, new ArrayList<>());
  }

  private static ConfigSource fromFile(Path file, List<Path> including) {
    Path normal = file.toAbsolutePath().normalize();
    if (including.contains(normal)) {
      List<String> chain = new ArrayList<>();
      for (Path p : including.subList(including.indexOf(normal), including.size())) {
        chain.add(p.getFileName().toString());
      }
      chain.add(normal.getFileName().toString());
      throw new ConfigException(file + ": defaults include the file itself (" + String.join(" -> ", chain) + ")");
    }
    ConfigSource own;
    try (Reader r = Files.newBufferedReader(file)) {
      own = parse(r, file.toString());
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file not found: " + file);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    RawValue defaults = own.values.remove(DEFAULTS);
    if (defaults == null) {
      return own;
    }
    including.add(normal);
    ConfigSource composed = new ConfigSource();
    for (String name : defaults.isList() ? defaults.items() : List.of(defaults.text())) {
      Path base = normal.getParent().resolve(name.strip());
      if (!Files.isRegularFile(base)) {
        throw new ConfigException(DEFAULTS + " at " + defaults.origin() + ": " + base + " is not a config file");
      }
      ConfigSource included = fromFile(base, including);
      composed.values.putAll(included.values);
      composed.mappings.putAll(included.mappings);
    }
    including.remove(including.size() - 1);
    composed.values.putAll(own.values);
    composed.mappings.putAll(own.mappings);
    return composed;
  }

  /** The top-level key that composes a config file from others. */
  public static final String DEFAULTS = "defaults";

  public static ConfigSource fromString(String yaml, String sourceName) {
    try {
      return parse(new StringReader(yaml), sourceName);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + sourceName + ": " + e.getMessage());
    }
  }

  private static ConfigSource parse(Reader reader, String sourceName) throws IOException {
    ConfigSource source = new ConfigSource();
    YAMLFactory factory = YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    try (JsonParser p = factory.createParser(reader)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        // Running every default from an empty file hides a wrong path or an unsaved editor buffer.
        throw new ConfigException(sourceName + ": the file has no keys (empty or only comments); a job config is a YAML "
            + "mapping, e.g. 'trainer: {steps: 100}'");
      }
      if (first != JsonToken.START_OBJECT) {
        throw new ConfigException(origin(p, sourceName) + ": the top level of a job config must be a mapping");
      }
      source.readMapping(p, "", sourceName);
      if (p.nextToken() != null) {
        throw new ConfigException(origin(p, sourceName) + ": a second YAML document (after '---'); a job config is one "
            + "document");
      }
    } catch (JsonParseException e) {
      String msg = e.getOriginalMessage().lines().findFirst().orElse("syntax error");
      JsonLocation loc = e.getLocation();
      String at = loc == null ? sourceName : sourceName + ":" + loc.getLineNr() + ":" + loc.getColumnNr();
      throw new ConfigException(at + ": invalid YAML: " + msg);
    }
    return source;
  }

  private void readMapping(JsonParser p, String prefix, String sourceName) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = prefix + p.currentName();
      Origin at = origin(p, sourceName); // errors point at the key
      JsonToken t = p.nextToken();
      switch (t) {
        case START_OBJECT -> {
          mappings.put(key, at);
          readMapping(p, key + ".", sourceName);
        }
        case START_ARRAY -> values.put(key, RawValue.list(readScalarList(p, key, sourceName), at));
        case VALUE_NULL -> throw new ConfigException(key + " at " + at + ": has no value");
        default -> values.put(key, RawValue.scalar(p.getText(), at));
      }
    }
  }

  private static List<String> readScalarList(JsonParser p, String key, String sourceName) throws IOException {
    List<String> items = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        throw new ConfigException(key + " at " + origin(p, sourceName) + ": list items must be plain values");
      }
      items.add(p.getText());
    }
    return items;
  }

  private static Origin origin(JsonParser p, String sourceName) {
    JsonLocation loc = p.currentTokenLocation();
    return new Origin(sourceName, loc.getLineNr(), loc.getColumnNr());
  }

  /** Applies one {@code path=value} override; it replaces whatever the file said. */
  public ConfigSource override(String assignment) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException("--set " + assignment + ": expected path=value, e.g. --set trainer.lr=3e-4");
    }
    String path = assignment.substring(0, eq).strip();
    String value = assignment.substring(eq + 1).strip();
    Origin origin = Origin.override(assignment);
    List<String> items = value.startsWith("[") ? flowList(value, path, origin) : null;
    values.put(path, items != null ? RawValue.list(items, origin) : RawValue.scalar(value, origin));
    return this;
  }

  /**
   * The items of an override written as a YAML flow list ({@code [5, 10@100]}), as a file's list would give
   * them; null when the text is not one (a value that merely starts with '[' stays the text it is).
   */
  private static List<String> flowList(String value, String path, Origin origin) {
    try (JsonParser p = new YAMLFactory().createParser(value)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        return null;
      }
      List<String> items = readScalarList(p, path, origin.toString());
      return p.nextToken() == null ? items : null;
    } catch (IOException e) {
      return null; // not YAML, so not a list
    }
  }

  /**
   * Removes everything under {@code section} (e.g. {@code grid}) from this source and returns those values by
   * their path below it ({@code grid.rollout.lag} → {@code rollout.lag}), for files that mix schema keys with
   * free-form sections.
   */
  public Map<String, RawValue> takeSection(String section) {
    String prefix = section + ".";
    Map<String, RawValue> taken = new LinkedHashMap<>();
    values.entrySet().removeIf(e -> {
      if (e.getKey().startsWith(prefix)) {
        taken.put(e.getKey().substring(prefix.length()), e.getValue());
        return true;
      }
      return false;
    });
    mappings.keySet().removeIf(k -> k.equals(section) || k.startsWith(prefix));
    return taken;
  }

  public Map<String, RawValue> values() {
    return values;
  }

  /** Paths that the YAML wrote as mappings (sections), with where they start. */
  public Map<String, Origin> mappings() {
    return mappings;
  }
}
