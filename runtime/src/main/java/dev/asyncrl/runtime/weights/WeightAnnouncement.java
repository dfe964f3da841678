package dev.asyncrl.runtime.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * One record on the compacted {@code <topic>.weights} topic (key {@code policy}, JSON value): the trainer's
 * newest policy version and where its weights are, plus what admission control needs on the worker side.
 *
 * @param epoch      identifies one trainer process (its start time, ms); a new epoch means the trainer
 *                   restarted and may have resumed at an older version
 * @param version    policy version
 * @param path       the safetensors checkpoint of that version, readable by every worker (local or shared)
 * @param sha256     hex SHA-256 of the file; workers verify it before loading
 * @param bytes      file size
 * @param freed      groups that left the run untrained so far (dropped, filtered, undecodable)
 * @param logBase    Σ offsets at which the run's trajectory log begins ({@code StorePosition.base})
 * @param done       the trainer finished its last step; workers stop
 */
public record WeightAnnouncement(long epoch, long version, String path, String sha256, long bytes, long freed,
    long logBase, boolean done) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The same version, with {@code freed} slots given back so far. */
  public WeightAnnouncement withFreed(long total) {
    return new WeightAnnouncement(epoch, version, path, sha256, bytes, total, logBase, done);
  }

  /** The same version, marked as the trainer's last ({@code true}) or not. */
  public WeightAnnouncement withDone(boolean last) {
    return new WeightAnnouncement(epoch, version, path, sha256, bytes, freed, logBase, last);
  }

  public String toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("format", 1);
    n.put("epoch", epoch);
    n.put("version", version);
    n.put("path", path);
    n.put("sha256", sha256);
    n.put("bytes", bytes);
    n.put("freed", freed);
    n.put("log_base", logBase);
    n.put("done", done);
    return n.toString();
  }

  /** Parses a record value; throws {@link IllegalArgumentException} naming what is wrong. */
  public static WeightAnnouncement fromJson(String json) {
    try {
      JsonNode n = JSON.readTree(json);
      if (n == null || n.path("format").asInt() != 1) {
        throw new IllegalArgumentException("not a format-1 weight announcement: " + abbreviate(json));
      }
      return new WeightAnnouncement(n.path("epoch").asLong(), n.path("version").asLong(), n.path("path").asText(),
          n.path("sha256").asText(), n.path("bytes").asLong(), n.path("freed").asLong(), n.path("log_base").asLong(),
          n.path("done").asBoolean());
    } catch (IOException e) {
      throw new IllegalArgumentException("weight announcement is not JSON: " + abbreviate(json), e);
    }
  }

  private static String abbreviate(String s) {
    return s == null ? "null" : s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
