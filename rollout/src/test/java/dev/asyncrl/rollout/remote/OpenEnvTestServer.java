package dev.asyncrl.rollout.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.IoUtils;

/**
 * An OpenEnv server, written from the protocol of {@code openenv.core.env_server} ({@code http_server.py},
 * {@code types.py}): {@code GET /health}, {@code GET /schema} (action, observation and state JSON schemas), and
 * the {@code /ws} WebSocket, where each connection is one session with its own environment. Messages are
 * {@code {"type": "reset"|"step"|"state"|"close", "data": …}}; answers {@code {"type": "observation", "data":
 * {"observation": {…}, "reward": …, "done": …}}}, {@code {"type": "state", "data": {"episode_id", "step_count"}}}
 * or {@code {"type": "error", "data": {"message", "code"}}} with the protocol's codes. A connection beyond
 * {@code maxSessions} is answered {@code CAPACITY_REACHED} and closed. It hosts {@link Countdown}: action
 * {@code {"answer": str}}, observation {@code {"prompt": str}}.
 */
public final class OpenEnvTestServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final int maxSessions;
  private final int failEvery;
  private final int delayMs;
  private final Undertow server;
  private final ExecutorService steps = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "openenv-test-step");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger active = new AtomicInteger();
  /** Sessions opened, refused for capacity, steps played, steps failed on purpose, the most sessions at once. */
  public final AtomicInteger opened = new AtomicInteger();
  public final AtomicInteger refused = new AtomicInteger();
  public final AtomicInteger stepCount = new AtomicInteger();
  public final AtomicInteger failedSteps = new AtomicInteger();
  public final AtomicInteger peakSessions = new AtomicInteger();

  /**
   * @param maxSessions the most sessions at once
   * @param failEvery   every this many steps fails with EXECUTION_ERROR (0: never)
   * @param delayMs     how long each step takes
   */
  public OpenEnvTestServer(int maxSessions, int failEvery, int delayMs) {
    this.maxSessions = maxSessions;
    this.failEvery = failEvery;
    this.delayMs = delayMs;
    server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(Handlers.path()
        .addExactPath("/health", json("{\"status\":\"healthy\"}"))
        .addExactPath("/schema", json(SCHEMA))
        .addPrefixPath("/ws", Handlers.websocket((exchange, channel) -> open(channel)))).build();
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  public int activeSessions() {
    return active.get();
  }

  static final String SCHEMA = """
      {"action": {"title": "CountdownAction", "type": "object", "additionalProperties": false,
                  "properties": {"metadata": {"type": "object", "title": "Metadata"},
                                 "answer": {"type": "string", "title": "Answer"}},
                  "required": ["answer"]},
       "observation": {"title": "CountdownObservation", "type": "object",
                       "properties": {"done": {"type": "boolean", "default": false},
                                      "reward": {"anyOf": [{"type": "boolean"}, {"type": "integer"}, {"type": "number"}, {"type": "null"}]},
                                      "metadata": {"type": "object"},
                                      "prompt": {"type": "string", "title": "Prompt"}}},
       "state": {"title": "State", "type": "object",
                 "properties": {"episode_id": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                                "step_count": {"type": "integer", "minimum": 0}}}}
      """;

  private static HttpHandler json(String body) {
    return (HttpServerExchange ex) -> {
      ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
      ex.getResponseSender().send(body);
    };
  }

  private void open(WebSocketChannel channel) {
    if (active.incrementAndGet() > maxSessions) {
      active.decrementAndGet();
      refused.incrementAndGet();
      ObjectNode error = error("Server at capacity (" + maxSessions + "/" + maxSessions + " sessions)", "CAPACITY_REACHED");
      error.with("data").put("active_sessions", maxSessions).put("max_sessions", maxSessions);
      // As the protocol's server does: the error, then a normal close of the WebSocket.
      WebSockets.sendText(error.toString(), channel, new WebSocketCallback<Void>() {
        @Override
        public void complete(WebSocketChannel ch, Void context) {
          close(ch);
        }

        @Override
        public void onError(WebSocketChannel ch, Void context, Throwable throwable) {
          IoUtils.safeClose(ch);
        }
      });
      return;
    }
    opened.incrementAndGet();
    peakSessions.accumulateAndGet(active.get(), Math::max);
    Session session = new Session();
    channel.addCloseTask(ch -> active.decrementAndGet());
    channel.getReceiveSetter().set(new AbstractReceiveListener() {
      @Override
      protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
        String text = message.getData();
        steps.execute(() -> {
          String reply = session.handle(text);
          if (reply == null) {
            close(ch);
          } else {
            WebSockets.sendText(reply, ch, null);
          }
        });
      }
    });
    channel.resumeReceives();
  }

  /** A normal close (1000), then the connection. */
  private static void close(WebSocketChannel ch) {
    WebSockets.sendClose(CloseMessage.NORMAL_CLOSURE, "", ch, null);
  }

  private static ObjectNode error(String message, String code) {
    ObjectNode error = JSON.createObjectNode().put("type", "error");
    error.putObject("data").put("message", message).put("code", code);
    return error;
  }

  /** One connection's environment. */
  private final class Session {
    final Countdown game = new Countdown(9);
    boolean started;
    int stepsTaken;

    /** The answer to one message, or null to close the connection. */
    synchronized String handle(String text) {
      JsonNode message;
      try {
        message = JSON.readTree(text);
      } catch (IOException e) {
        return error("Invalid JSON: " + e.getMessage(), "INVALID_JSON").toString();
      }
      String type = message.path("type").asText("");
      switch (type) {
        case "reset" -> {
          JsonNode data = message.path("data");
          if (data.has("seed") && (!data.get("seed").canConvertToLong() || data.get("seed").asLong() < 0)) {
            return error("Invalid message", "VALIDATION_ERROR").toString();
          }
          game.reset(data.path("seed").asLong(0));
          started = true;
          stepsTaken = 0;
          return observation(0, false);
        }
        case "step" -> {
          JsonNode action = message.get("data");
          if (action == null || !action.isObject() || !action.path("answer").isTextual() || !onlyKnownFields(action)) {
            return error("Invalid message", "VALIDATION_ERROR").toString();
          }
          if (!started || game.over()) {
            return error("step before reset", "EXECUTION_ERROR").toString();
          }
          sleep(delayMs);
          int n = stepCount.incrementAndGet();
          stepsTaken++;
          if (failEvery > 0 && n % failEvery == 0) {
            failedSteps.incrementAndGet();
            return error("the countdown broke on purpose", "EXECUTION_ERROR").toString();
          }
          double reward = game.step(action.get("answer").asText());
          return observation(reward, game.over());
        }
        case "state" -> {
          ObjectNode state = JSON.createObjectNode().put("type", "state");
          state.putObject("data").putNull("episode_id").put("step_count", stepsTaken);
          return state.toString();
        }
        case "close" -> {
          return null;
        }
        default -> {
          return error("Unknown message type: " + type, "UNKNOWN_TYPE").toString();
        }
      }
    }

    private String observation(double reward, boolean done) {
      ObjectNode answer = JSON.createObjectNode().put("type", "observation");
      ObjectNode data = answer.putObject("data");
      data.putObject("observation").put("prompt", game.prompt());
      if (started && stepsTaken == 0) {
        data.putNull("reward");
      } else {
        data.put("reward", reward);
      }
      data.put("done", done);
      return answer.toString();
    }
  }

  private static boolean onlyKnownFields(JsonNode action) {
    for (Iterator<String> names = action.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("answer") && !name.equals("metadata")) {
        return false;
      }
    }
    return true;
  }

  static void sleep(int ms) {
    if (ms > 0) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    server.stop();
    steps.shutdownNow();
  }
}
