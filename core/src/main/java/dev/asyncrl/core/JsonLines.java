package dev.asyncrl.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
}
