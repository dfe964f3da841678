package dev.asyncrl.rollout.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An AgentGym {@code agentenv-*} server, written from the FastAPI servers in AgentGym's repository: {@code POST
 * /create}, {@code /reset}, {@code /step}, {@code /close} and {@code GET /observation}, in one of two of their
 * dialects. {@code textcraft}: the id field is {@code id}, {@code /create} answers {@code {"id", "observation"}},
 * {@code /reset} takes {@code data_idx} and answers the observation, {@code /step} answers {@code
 * {"observation", "reward", "done"}}. {@code webshop}: the id field is {@code env_idx}, {@code /create} answers the
 * bare id, {@code /reset} takes {@code session_id}, the first observation is read from {@code GET /observation},
 * and {@code /step} answers {@code {"state", "reward", "done", "info"}}. Every {@code /step} answer also has
 * {@code "steps"}, the episode's running step count. It hosts {@link Countdown}; errors are HTTP
 * 4xx/5xx with FastAPI's {@code {"detail": …}}.
 */
public final class AgentGymTestServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final boolean webshop;
  private final int failEvery;
  private final Undertow server;
  private final Map<Integer, Countdown> envs = new ConcurrentHashMap<>();
  private final AtomicInteger nextId = new AtomicInteger();
  public final AtomicInteger created = new AtomicInteger();
  public final AtomicInteger closed = new AtomicInteger();
  public final AtomicInteger stepCount = new AtomicInteger();

  /**
   * @param dialect   {@code textcraft} or {@code webshop}
   * @param failEvery every this many steps answers HTTP 500 (0: never)
   */
  public AgentGymTestServer(String dialect, int failEvery) {
    this.webshop = dialect.equals("webshop");
    this.failEvery = failEvery;
    server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(new BlockingHandler(Handlers.path()
        .addExactPath("/create", post(this::create))
        .addExactPath("/reset", post(this::reset))
        .addExactPath("/step", post(this::step))
        .addExactPath("/close", post(this::close))
        .addExactPath("/observation", this::observation)
        .addExactPath("/", ex -> send(ex, 200, "This is an AgentGym-style test environment.")))).build(); // as AgentGym's servers answer
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  public int openEnvironments() {
    return envs.size();
  }

  private interface Route {
    Object answer(JsonNode body) throws HttpError;
  }

  private static final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    HttpError(int status, String detail) {
      super(detail);
      this.status = status;
    }
  }

  private static HttpHandler post(Route route) {
    return ex -> {
      if (!ex.getRequestMethod().toString().equals("POST")) {
        send(ex, 405, JSON.createObjectNode().put("detail", "Method Not Allowed"));
        return;
      }
      JsonNode body;
      try {
        body = JSON.readTree(ex.getInputStream().readAllBytes());
      } catch (IOException e) {
        send(ex, 422, JSON.createObjectNode().put("detail", "invalid JSON body"));
        return;
      }
      try {
        send(ex, 200, route.answer(body));
      } catch (HttpError e) {
        send(ex, e.status, JSON.createObjectNode().put("detail", e.getMessage()));
      }
    };
  }

  private static void send(HttpServerExchange ex, int status, Object body) throws IOException {
    ex.setStatusCode(status);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    ex.getResponseSender().send(JSON.writeValueAsString(body));
  }

  private String idField() {
    return webshop ? "env_idx" : "id";
  }

  private Countdown env(JsonNode body) throws HttpError {
    JsonNode id = body.get(idField());
    if (id == null || !id.canConvertToInt()) {
      throw new HttpError(422, "field required: " + idField());
    }
    Countdown env = envs.get(id.asInt());
    if (env == null) {
      throw new HttpError(404, "no environment " + id.asInt());
    }
    return env;
  }

  private Object create(JsonNode body) {
    int id = nextId.getAndIncrement();
    Countdown env = new Countdown(9);
    envs.put(id, env);
    created.incrementAndGet();
    return webshop ? id : JSON.createObjectNode().put("id", id).put("observation", env.reset(0));
  }

  private Object reset(JsonNode body) throws HttpError {
    Countdown env = env(body);
    String itemField = webshop ? "session_id" : "data_idx";
    if (!body.path(itemField).canConvertToInt()) {
      throw new HttpError(422, "field required: " + itemField);
    }
    String prompt = env.reset(body.get(itemField).asInt());
    return webshop ? JSON.createArrayNode().add(prompt).addNull()
        : JSON.createObjectNode().put("observation", prompt).put("reward", 0).put("done", false);
  }

  private Object step(JsonNode body) throws HttpError {
    Countdown env = env(body);
    if (!body.path("action").isTextual()) {
      throw new HttpError(422, "field required: action");
    }
    int n = stepCount.incrementAndGet();
    if (failEvery > 0 && n % failEvery == 0) {
      throw new HttpError(500, "Internal Server Error");
    }
    double reward;
    try {
      reward = env.step(body.get("action").asText());
    } catch (IllegalStateException e) {
      throw new HttpError(400, e.getMessage());
    }
    ObjectNode answer = JSON.createObjectNode().put(webshop ? "state" : "observation", env.prompt())
        .put("reward", reward).put("done", env.over()).put("steps", env.steps());
    if (webshop) {
      answer.putNull("info");
    }
    return answer;
  }

  private Object close(JsonNode body) throws HttpError {
    env(body);
    envs.remove(body.get(idField()).asInt());
    closed.incrementAndGet();
    return JSON.createObjectNode().put("closed", true);
  }

  private void observation(HttpServerExchange ex) throws IOException {
    String id = ex.getQueryParameters().getOrDefault(idField(), new java.util.ArrayDeque<>(java.util.List.of(""))).peekFirst();
    Countdown env;
    try {
      env = envs.get(Integer.parseInt(id));
    } catch (NumberFormatException e) {
      env = null;
    }
    if (env == null) {
      send(ex, 404, JSON.createObjectNode().put("detail", "no environment " + id));
      return;
    }
    send(ex, 200, env.prompt());
  }

  @Override
  public void close() {
    server.stop();
  }
}
