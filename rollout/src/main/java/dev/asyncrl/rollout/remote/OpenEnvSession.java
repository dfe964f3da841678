package dev.asyncrl.rollout.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One OpenEnv session: a WebSocket connection to the server's {@code /ws} endpoint, which holds one environment
 * instance for as long as the connection lives. Requests go one at a time: a {@code reset}, {@code step} or
 * {@code state} message, answered by an {@code observation} or {@code state} message or an {@code error} with a
 * code ({@code CAPACITY_REACHED}, {@code VALIDATION_ERROR}, {@code EXECUTION_ERROR}, …). A full server answers
 * the new connection with {@code CAPACITY_REACHED} and closes it.
 */
final class OpenEnvSession implements SessionPool.Session {

  /** The error code of a server with no room for another session: worth trying again later. */
  static final String CAPACITY_REACHED = "CAPACITY_REACHED";

  private final WebSocket socket;
  private final URI uri;
  private final Duration timeout;
  private final LinkedBlockingQueue<Object> inbox; // whole text messages, or a Closed

  private OpenEnvSession(WebSocket socket, URI uri, Duration timeout, LinkedBlockingQueue<Object> inbox) {
    this.socket = socket;
    this.uri = uri;
    this.timeout = timeout;
    this.inbox = inbox;
  }

  /** How the connection ended, as the server or the network said. */
  private record Closed(String why) {}

  static OpenEnvSession connect(HttpClient client, URI uri, Duration timeout)
      throws RemoteException, InterruptedException {
    LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final StringBuilder parts = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        parts.append(data);
        if (last) {
          inbox.add(parts.toString());
          parts.setLength(0);
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
        inbox.add(new Closed("the server closed the session (" + status + (reason.isEmpty() ? "" : " " + reason) + ")"));
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        inbox.add(new Closed("the connection failed: " + Remote.describe(error)));
      }
    };
    CompletableFuture<WebSocket> connecting = client.newWebSocketBuilder().connectTimeout(timeout)
        .buildAsync(uri, listener);
    try {
      return new OpenEnvSession(connecting.get(timeout.toMillis(), TimeUnit.MILLISECONDS), uri, timeout, inbox);
    } catch (ExecutionException e) {
      throw new RemoteException("cannot connect to " + uri + ": " + Remote.describe(e.getCause()), true);
    } catch (TimeoutException e) {
      connecting.thenAccept(WebSocket::abort); // a connection that comes too late is closed, not leaked
      throw new RemoteException("cannot connect to " + uri + " within " + timeout.toMillis() + " ms", true);
    } catch (InterruptedException e) {
      connecting.thenAccept(WebSocket::abort); // the worker is stopping: the same
      throw e;
    }
  }

  /**
   * Sends a {@code type} message with {@code data} and returns the answer's {@code data}.
   *
   * @throws RemoteException on an {@code error} answer (retryable for {@code CAPACITY_REACHED}), a closed
   *                         connection (retryable: the server may have dropped an idle session), or no answer in time
   */
  JsonNode request(String type, JsonNode data) throws RemoteException, InterruptedException {
    ObjectNode message = Remote.JSON.createObjectNode().put("type", type);
    if (data != null) {
      message.set("data", data);
    }
    Object early = inbox.poll(); // an answer nobody asked for: the refusal of a full server, or a close
    if (early != null) {
      return answer(type, early);
    }
    try {
      socket.sendText(message.toString(), true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      // A server that refuses the session says why and closes at once; its message may still be on its way.
      Object said = inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (said instanceof String) {
        return answer(type, said);
      }
      throw new RemoteException(type + " to " + uri + ": the connection failed: " + Remote.describe(e.getCause()), true);
    } catch (TimeoutException e) {
      throw new RemoteException(type + " to " + uri + ": not sent within " + timeout.toMillis() + " ms", false);
    }
    Object reply = inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (reply == null) {
      throw new RemoteException(type + " to " + uri + ": no answer within " + timeout.toMillis() + " ms", false);
    }
    return answer(type, reply);
  }

  private JsonNode answer(String type, Object reply) throws RemoteException {
    if (reply instanceof Closed closed) {
      inbox.add(closed); // every later request fails the same way
      throw new RemoteException(type + " to " + uri + ": " + closed.why(), true);
    }
    JsonNode message;
    try {
      message = Remote.JSON.readTree((String) reply);
    } catch (IOException e) {
      throw new RemoteException(type + " to " + uri + ": the answer is not JSON", false);
    }
    if ("error".equals(message.path("type").asText())) {
      JsonNode error = message.path("data");
      String code = error.path("code").asText("UNKNOWN");
      throw new RemoteException(type + " to " + uri + ": server error " + code + ": " + error.path("message").asText(),
          CAPACITY_REACHED.equals(code));
    }
    return message.path("data");
  }

  /** Says {@code close} and closes the connection, without waiting. */
  @Override
  public void end() {
    try {
      if (!socket.isOutputClosed()) {
        socket.sendText("{\"type\":\"close\"}", true)
            .thenCompose(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, ""))
            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .whenComplete((ws, error) -> socket.abort());
      } else {
        socket.abort();
      }
    } catch (RuntimeException e) {
      socket.abort();
    }
  }
}
