package dev.asyncrl.rollout.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncrl.rollout.TaskParameters;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What every remote environment reads from {@code task.params}, and the HTTP and JSON they share.
 *
 * <ul>
 *   <li>{@code url}: the server's base URL ({@code http://host:port}); required;
 *   <li>{@code timeout_ms} (30,000): the longest wait for a connection or an answer;
 *   <li>{@code retries} (3): how many more times an episode's opening (connect, create, reset) is tried after a
 *       refused or dropped connection or a full server, waiting 0.1 s, 0.2 s, 0.4 s, … between tries. A step is
 *       never retried: it may have changed the server's state;
 *   <li>{@code sessions} (32): the most sessions this process holds open with the server at once; an episode
 *       that would exceed it waits for one to be given back. Sessions are reused by later episodes;
 *   <li>{@code instruction} (none): text put before the first observation, e.g. the rules and the answer format;
 *   <li>{@code action_pattern} (none): a regular expression; when set, the action sent is its group 1 (or the
 *       whole match) in the model's turn, last match first, or the empty string when nothing matches, e.g.
 *       {@code "Action:\\s*(.*)"}. By default the whole turn is sent.
 * </ul>
 */
record Remote(URI url, Duration timeout, int retries, int sessions, String instruction, Pattern actionPattern) {

  static final ObjectMapper JSON = new ObjectMapper();

  static Remote read(TaskParameters params) {
    String url = params.string("url", "");
    if (url.isEmpty()) {
      throw params.error("url", "required: the environment server's base URL, e.g. http://localhost:8000");
    }
    URI uri;
    try {
      uri = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    } catch (URISyntaxException e) {
      throw params.error("url", "not a URL: " + e.getMessage());
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw params.error("url", "expected http://host:port or https://host, got '" + url + "'");
    }
    int timeoutMs = params.integer("timeout_ms", 30_000, 1, 3_600_000);
    int retries = params.integer("retries", 3, 0, 100);
    int sessions = params.integer("sessions", 32, 1, 100_000);
    String instruction = params.string("instruction", "");
    String pattern = params.string("action_pattern", "");
    Pattern action = null;
    if (!pattern.isEmpty()) {
      try {
        action = Pattern.compile(pattern, Pattern.DOTALL);
      } catch (PatternSyntaxException e) {
        throw params.error("action_pattern", "not a regular expression: " + e.getDescription());
      }
    }
    return new Remote(uri, Duration.ofMillis(timeoutMs), retries, sessions, instruction, action);
  }

  /** {@code path} below the base URL. */
  URI at(String path) {
    return URI.create(url + path);
  }

  /** The first observation as the model sees it: the instruction, if any, then the server's text. */
  String firstObservation(String observation) {
    return instruction.isEmpty() ? observation : instruction + "\n\n" + observation;
  }

  /** What of the model's turn is sent as the action. */
  String action(String turn) {
    if (actionPattern == null) {
      return turn;
    }
    Matcher m = actionPattern.matcher(turn);
    String found = "";
    while (m.find()) {
      found = m.groupCount() >= 1 && m.group(1) != null ? m.group(1) : m.group();
    }
    return found.strip();
  }

  /** Calls {@code open} until it succeeds or fails in a way another try cannot mend. */
  <T> T retrying(Opening<T> open) throws RemoteException, InterruptedException {
    long waitMs = 100;
    for (int attempt = 0; ; attempt++) {
      try {
        return open.call();
      } catch (RemoteException e) {
        if (!e.retryable() || attempt >= retries) {
          throw attempt == 0 ? e : new RemoteException(e.getMessage() + " (after " + (attempt + 1) + " tries)", false);
        }
      }
      Thread.sleep(waitMs);
      waitMs = Math.min(waitMs * 2, 5_000);
    }
  }

  /** One try at opening an episode. */
  interface Opening<T> {
    T call() throws RemoteException, InterruptedException;
  }

  /** A GET or a JSON POST ({@code body} non-null), answered with JSON; non-2xx answers are errors. */
  JsonNode http(HttpClient client, String method, String path, JsonNode body)
      throws RemoteException, InterruptedException {
    return http(client, method, path, body, answer -> {});
  }

  /**
   * The same; when the calling thread is interrupted while the request is out, the server may still act on it:
   * {@code ifAbandoned} then gets its answer, if it comes, e.g. to close an environment the caller never learned.
   */
  JsonNode http(HttpClient client, String method, String path, JsonNode body, Consumer<JsonNode> ifAbandoned)
      throws RemoteException, InterruptedException {
    URI uri = at(path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
    if (body == null) {
      request.GET();
    } else {
      request.header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    }
    HttpResponse<String> response;
    CompletableFuture<HttpResponse<String>> sent = client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    try {
      response = sent.get();
    } catch (InterruptedException e) {
      sent.thenAccept(late -> {
        try {
          ifAbandoned.accept(JSON.readTree(late.body()));
        } catch (IOException | RuntimeException ignored) {
          // nothing to clean up that can be read
        }
      });
      throw e;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof HttpTimeoutException) {
        throw new RemoteException(method + " " + uri + ": no answer within " + timeout.toMillis() + " ms", true);
      }
      throw new RemoteException(method + " " + uri + ": " + describe(e.getCause()), true);
    }
    int status = response.statusCode();
    if (status / 100 != 2) {
      String text = response.body().length() > 300 ? response.body().substring(0, 300) + "…" : response.body();
      throw new RemoteException(method + " " + uri + ": HTTP " + status + " " + text.strip(),
          status == 429 || status == 502 || status == 503 || status == 504);
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new RemoteException(method + " " + uri + ": the answer is not JSON: " + e.getMessage().lines().findFirst().orElse(""), false);
    }
  }

  /** What went wrong with a connection, in words; the JDK's exceptions often carry no message. */
  static String describe(Throwable e) {
    if (e instanceof java.net.ConnectException) {
      return "nothing answers there (connection refused); is the server running?";
    }
    if (e instanceof java.net.http.HttpConnectTimeoutException) {
      return "no connection within the timeout";
    }
    return e.getMessage() == null ? e.getClass().getName() : e.toString();
  }

  /** A field of a server's answer, or an error naming it and what the answer had instead. */
  static JsonNode field(JsonNode answer, String name, String what) throws RemoteException {
    JsonNode value = answer == null ? null : answer.get(name);
    if (value == null) {
      throw new RemoteException(what + " has no field '" + name + "' (it has " + fieldNames(answer) + ")", false);
    }
    return value;
  }

  static String fieldNames(JsonNode node) {
    if (node == null || !node.isObject()) {
      return node == null ? "nothing" : "a " + node.getNodeType().name().toLowerCase() + " instead of an object";
    }
    StringBuilder names = new StringBuilder();
    node.fieldNames().forEachRemaining(n -> names.append(names.length() == 0 ? "" : ", ").append(n));
    return names.length() == 0 ? "no fields" : names.toString();
  }

  /** A JSON value as the model reads it: strings as they are, anything else as JSON text. */
  static String text(JsonNode value) {
    return value.isTextual() ? value.asText() : value.toString();
  }

  /** A reward: a number, or null/absent for 0; anything else is an error. */
  static double reward(JsonNode value, String what) throws RemoteException {
    if (value == null || value.isNull()) {
      return 0;
    }
    if (value.isBoolean()) {
      return value.asBoolean() ? 1 : 0;
    }
    if (!value.isNumber()) {
      throw new RemoteException(what + " is not a number: " + value, false);
    }
    return value.asDouble();
  }
}
