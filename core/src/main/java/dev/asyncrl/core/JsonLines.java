package dev.asyncrl.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** JSONL files (one JSON value per line): metrics logs, datasets. Errors name the file and line. */
public final class JsonLines {
  private JsonLines() {}

  /** One parsed line and its 1-based number in the file. */
  public record Line(int number, JsonNode value) {
    /** {@code file:line: problem}, for errors about this line's content. */
    public IllegalArgumentException error(Path file, String problem) {
      return new IllegalArgumentException(file + ":" + number + ": " + problem);
    }
  }

  /** Every non-blank line of {@code file}, parsed. */
  public static List<Line> read(Path file) {
    ObjectMapper json = new ObjectMapper();
    List<Line> out = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file");
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IllegalArgumentException(file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new IllegalArgumentException(file + (Files.isDirectory(file) ? ": is a folder, not a JSONL file"
          : ": cannot read: " + e.getMessage()));
    }
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      try {
        out.add(new Line(i + 1, json.readTree(lines.get(i))));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": not valid JSON: " + e.getOriginalMessage());
      }
    }
    return out;
  }

  /**
   * Appends JSON values to a JSONL file (created when missing), one per line, flushed at each line so a crash
   * loses at most the line being written.
   */
  public static final class Appender implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final BufferedWriter out;

    public Appender(Path file) {
      this.file = file;
      try {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }

    public synchronized void append(JsonNode value) {
      try {
        out.write(JSON.writeValueAsString(value));
        out.newLine();
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
      }
    }

    @Override
    public synchronized void close() {
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Drops the lines of a JSONL file whose {@code "step"} is after {@code lastStep}: a trainer resumed from the
   * checkpoint of {@code lastStep} redoes those steps, and its logs must show each step once. A missing file is
   * left missing; a line cut short by a killed process is dropped. The kept lines go to a temporary file that
   * replaces the original by an atomic rename, so a process killed meanwhile leaves the old file or the new one,
   * never a cut one.
   */
  public static void truncateAfterStep(Path file, long lastStep) {
    if (!Files.exists(file)) {
      return;
    }
    try {
      ObjectMapper json = new ObjectMapper();
      List<String> kept = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        try {
          if (json.readTree(line).path("step").asLong(Long.MAX_VALUE) <= lastStep) {
            kept.add(line);
          }
        } catch (IOException partial) {
          // the last line of a killed process may be cut short; it belongs to a step being redone
        }
      }
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, kept, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite " + file + ": " + e.getMessage(), e);
    }
  }
}
