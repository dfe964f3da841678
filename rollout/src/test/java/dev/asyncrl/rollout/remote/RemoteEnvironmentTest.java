package dev.asyncrl.rollout.remote;

import static dev.asyncrl.rollout.ConfiguredProviders.configured;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.core.config.ConfigException;
import dev.asyncrl.rollout.Environment;
import dev.asyncrl.rollout.Environment.Action;
import dev.asyncrl.rollout.Environment.Step;
import dev.asyncrl.rollout.EnvironmentProvider;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The OpenEnv and AgentGym clients against servers that follow their protocols: episodes play out turn by turn,
 * sessions are reused and bounded, and a full, failing, slow or absent server fails the episode with a message
 * that says what happened, never anything worse.
 */
class RemoteEnvironmentTest {

  /** Plays a wrong answer, then the right one; checks observations and rewards. */
  static void playCountdown(Environment env, long instance, String firstObservation) throws Exception {
    String prompt = env.reset(instance);
    assertTrue(prompt.endsWith(firstObservation), prompt);
    int digit = Integer.parseInt(firstObservation.substring(0, firstObservation.length() - 1));
    Step wrong = env.step(new Action(String.valueOf(digit), true));
    assertEquals(new Step(firstObservation, 0, false), wrong);
    Step right = env.step(new Action(String.valueOf(digit - 1), true));
    assertEquals(1, right.reward());
    assertTrue(right.done());
    env.close();
  }

  static String countdownPrompt(long item) {
    return new Countdown(9).reset(item);
  }

  @Test
  void anOpenEnvEpisodePlaysOverTheWebSocketAndItsSessionIsReused() throws Exception {
    try (OpenEnvTestServer server = new OpenEnvTestServer(4, 0, 0);
         OpenEnvEnvironment openenv = configured(new OpenEnvEnvironment(), "url", server.url())) {
      for (long instance = 0; instance < 5; instance++) {
        playCountdown(openenv.create(), instance, countdownPrompt(instance)); // seed = the instance
      }
      assertEquals(1, server.opened.get(), "one connection served five episodes one after another");
      assertEquals(10, server.stepCount.get());
      openenv.close();
      awaitZero(server::activeSessions);
    }
  }

  @Test
  void theSchemaChoosesTheFieldsAndTheInstructionAndActionPatternApply() throws Exception {
    try (OpenEnvTestServer server = new OpenEnvTestServer(4, 0, 0);
         OpenEnvEnvironment openenv = configured(new OpenEnvEnvironment(), "url", server.url() + "/",
             "instruction", "Count down.", "action_pattern", "Action:\\s*(\\d+)")) {
      Environment env = openenv.create();
      String prompt = env.reset(-7); // a negative instance is sent as a seed in 0..2^31-1
      String expected = countdownPrompt(Math.floorMod(-7L, 1L << 31));
      assertEquals("Count down.\n\n" + expected, prompt);
      int digit = Integer.parseInt(expected.substring(0, 1));
      Step step = env.step(new Action("Thought: one less.\nAction: " + (digit - 1) + "\n", true));
      assertEquals(new Step("", 1, true), step);
      env.close();
    }
  }

  @Test
  void aFullServerIsRetriedThenFailsTheEpisodeNamingTheCode() throws Exception {
    try (OpenEnvTestServer server = new OpenEnvTestServer(1, 0, 0);
         OpenEnvEnvironment openenv = configured(new OpenEnvEnvironment(), "url", server.url(), "retries", "2",
             "sessions", "4")) {
      Environment holding = openenv.create();
      holding.reset(1);
      RemoteException full = assertThrows(RemoteException.class, () -> openenv.create().reset(2));
      assertTrue(full.getMessage().contains("server error CAPACITY_REACHED") && full.getMessage().contains("after 3 tries"),
          full.getMessage());
      assertEquals(3, server.refused.get());
      holding.close(); // back to the pool: the next episode reuses it
      playCountdown(openenv.create(), 3, countdownPrompt(3));
      assertEquals(1, server.opened.get());
    }
  }

  @Test
  void episodesWaitForASessionWhenTheProcessHoldsAsManyAsItMay() throws Exception {
    try (OpenEnvTestServer server = new OpenEnvTestServer(8, 0, 0);
         OpenEnvEnvironment openenv = configured(new OpenEnvEnvironment(), "url", server.url(), "sessions", "2")) {
      Environment a = openenv.create();
      Environment b = openenv.create();
      a.reset(1);
      b.reset(2);
      CompletableFuture<String> third = CompletableFuture.supplyAsync(() -> {
        try {
          return openenv.create().reset(3);
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      Thread.sleep(300);
      assertFalse(third.isDone(), "a third episode waits while two sessions are out");
      a.close();
      assertEquals(countdownPrompt(3), third.get(10, TimeUnit.SECONDS));
      assertEquals(2, server.peakSessions.get());
      b.close();
    }
  }

  @Test
  void aServerErrorOrASlowStepFailsTheEpisodeAndItsSessionIsNotReused() throws Exception {
    try (OpenEnvTestServer server = new OpenEnvTestServer(4, 1, 0);
         OpenEnvEnvironment openenv = configured(new OpenEnvEnvironment(), "url", server.url())) {
      Environment env = openenv.create();
      env.reset(1);
      RemoteException broke = assertThrows(RemoteException.class, () -> env.step(new Action("0", true)));
      assertTrue(broke.getMessage().endsWith("server error EXECUTION_ERROR: the countdown broke on purpose"),
          broke.getMessage());
      assertFalse(broke.retryable());
      env.close();
      awaitZero(server::activeSessions);
    }
    try (OpenEnvTestServer slow = new OpenEnvTestServer(4, 0, 2_000);
         OpenEnvEnvironment openenv = configured(new OpenEnvEnvironment(), "url", slow.url(), "timeout_ms", "200")) {
      Environment env = openenv.create();
      env.reset(1);
      RemoteException late = assertThrows(RemoteException.class, () -> env.step(new Action("0", true)));
      assertTrue(late.getMessage().endsWith("step to " + slow.url().replace("http", "ws") + "/ws: no answer within 200 ms"),
          late.getMessage());
      env.close();
      playCountdownAfter(openenv, 2);
      assertEquals(2, slow.opened.get(), "the timed-out session was closed, a new one opened");
    }
  }

  private static void playCountdownAfter(OpenEnvEnvironment openenv, long instance) throws Exception {
    Environment env = openenv.create();
    assertEquals(countdownPrompt(instance), env.reset(instance));
    env.close();
  }

  @Test
  void noServerAtAllFailsTheEpisodeAfterItsRetries() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (OpenEnvEnvironment openenv = configured(new OpenEnvEnvironment(), "url", "http://127.0.0.1:" + port,
        "action_field", "answer", "observation_field", "prompt", "retries", "1")) {
      RemoteException down = assertThrows(RemoteException.class, () -> openenv.create().reset(1));
      assertTrue(down.getMessage().startsWith("cannot connect to ws://127.0.0.1:" + port + "/ws")
          && down.getMessage().endsWith("(after 2 tries)"), down.getMessage());
    }
  }

  @Test
  void agentGymEpisodesPlayInBothDialects() throws Exception {
    for (String dialect : new String[] {"textcraft", "webshop"}) {
      try (AgentGymTestServer server = new AgentGymTestServer(dialect, 0);
           AgentGymEnvironment agentgym = configured(new AgentGymEnvironment(), "url", server.url(), "env", dialect,
               "instances", "1000")) {
        for (long instance = 0; instance < 4; instance++) {
          playCountdown(agentgym.create(), instance + 1000, countdownPrompt(instance)); // item = instance mod 1000
        }
        assertEquals(1, server.created.get(), dialect + ": one environment id served every episode");
        agentgym.close();
        assertEquals(0, server.openEnvironments(), dialect + ": closed at the end");
      }
    }
  }

  @Test
  void anAgentGymServerErrorFailsTheEpisodeWithItsStatus() throws Exception {
    try (AgentGymTestServer server = new AgentGymTestServer("textcraft", 1);
         AgentGymEnvironment agentgym = configured(new AgentGymEnvironment(), "url", server.url(), "instances", "10")) {
      Environment env = agentgym.create();
      env.reset(1);
      RemoteException broke = assertThrows(RemoteException.class, () -> env.step(new Action("0", true)));
      assertTrue(broke.getMessage().equals("POST " + server.url() + "/step: HTTP 500 {\"detail\":\"Internal Server Error\"}"),
          broke.getMessage());
      env.close();
      assertEquals(1, server.closed.get(), "the failed session was closed on the server");
    }
  }

  @Test
  void aRunningScoreIsPaidOutAsItsIncrease() throws Exception {
    try (AgentGymTestServer server = new AgentGymTestServer("textcraft", 0);
         AgentGymEnvironment agentgym = configured(new AgentGymEnvironment(), "url", server.url(), "instances", "10",
             "reward_field", "steps", "cumulative_reward", "true")) {
      Environment env = agentgym.create();
      String prompt = env.reset(4);
      int digit = Integer.parseInt(prompt.substring(0, prompt.length() - 1));
      // The running count reads 1, then 2: each step pays its increase, 1 (read as is, the second would pay 2).
      assertEquals(1, env.step(new Action(String.valueOf(digit), true)).reward());
      Step end = env.step(new Action(String.valueOf(digit - 1), true));
      assertTrue(end.done());
      assertEquals(1, end.reward());
      env.close();
    }
  }

  @Test
  void badParametersAreKeyedErrors() {
    ConfigException noUrl = assertThrows(ConfigException.class, () -> configured(new OpenEnvEnvironment()));
    assertTrue(noUrl.getMessage().startsWith("task.params.url: required"), noUrl.getMessage());
    ConfigException ws = assertThrows(ConfigException.class,
        () -> configured(new OpenEnvEnvironment(), "url", "ws://localhost:8000"));
    assertTrue(ws.getMessage().startsWith("task.params.url at --set task.params.url: expected http://host:port"),
        ws.getMessage());
    ConfigException dialect = assertThrows(ConfigException.class,
        () -> configured(new AgentGymEnvironment(), "url", "http://localhost:1", "env", "alfwrld", "instances", "3"));
    assertTrue(dialect.getMessage().contains("unknown AgentGym server 'alfwrld'; known: babyai, sciworld, sqlgym, "
        + "textcraft, webshop"), dialect.getMessage());
    ConfigException instances = assertThrows(ConfigException.class,
        () -> configured(new AgentGymEnvironment(), "url", "http://localhost:1"));
    assertTrue(instances.getMessage().startsWith("task.params.instances: required"), instances.getMessage());
    ConfigException pattern = assertThrows(ConfigException.class,
        () -> configured(new OpenEnvEnvironment(), "url", "http://localhost:1", "action_pattern", "Action:(("));
    assertTrue(pattern.getMessage().contains("task.params.action_pattern") && pattern.getMessage().contains("not a regular"
        + " expression"), pattern.getMessage());
  }

  static void awaitZero(java.util.function.IntSupplier count) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (count.getAsInt() != 0 && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertEquals(0, count.getAsInt());
  }
}
