package dev.asyncrl.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static dev.asyncrl.rollout.ConfiguredProviders.configured;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.core.Trajectory;
import dev.asyncrl.model.hf.ByteLevelTokenizer;
import dev.asyncrl.model.hf.ChatTemplate;
import dev.asyncrl.model.hf.HfTokenizer;
import dev.asyncrl.rollout.apiworld.ApiWorldEnvironment;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A demonstration becomes a trajectory laid out as a sampled episode would be: its tokens equal the chat
 * template's rendering of the whole conversation (the environment's real answers included), mask 1 lies exactly
 * on the turns as the model would write them (text, then the token that ends an assistant turn), and the reward is
 * what the environment paid.
 */
class DemonstrationsTest {

  @TempDir
  Path dir;

  private HfTokenizer tokenizer(String config, String specials) throws Exception {
    try (InputStream in = DemonstrationsTest.class.getResourceAsStream("/templates/" + config)) {
      ByteLevelTokenizer.write(dir, List.of(specials.split(",")), new String(in.readAllBytes()));
    }
    return HfTokenizer.load(dir);
  }

  @ParameterizedTest
  @CsvSource({
      "qwen2.5-tokenizer_config.json, '<|endoftext|>,<|im_start|>,<|im_end|>', guess",
      "llama3-tokenizer_config.json, '<|begin_of_text|>,<|start_header_id|>,<|end_header_id|>,<|eot_id|>', guess",
      "qwen2.5-tokenizer_config.json, '<|endoftext|>,<|im_start|>,<|im_end|>', apiworld"})
  void aDemonstrationIsTheRenderedConversationWithItsTurnsTrained(String config, String specials, String task)
      throws Exception {
    EnvironmentProvider provider = task.equals("guess")
        ? configured(new GuessEnvironment(), "words", "true", "max", "100")
        : configured(new ApiWorldEnvironment(), "tier", "2");
    try (HfTokenizer tok = tokenizer(config, specials)) {
      ChatTemplate template = tok.chatTemplate().orElseThrow();
      Prompting prompting = new Prompting(tok, template, "Be brief.").withTools(provider.tools());
      Demonstrations demonstrations = new Demonstrations(provider, prompting, 1 << 20, 1);
      int stop = tok.encode(template.assistantTurnEnd())[0];
      for (long instance : new long[] {3, 17, 40}) {
        Trajectory t = demonstrations.play(instance);
        // The same conversation, replayed on a fresh environment, rendered by the template at once.
        List<String> turns = provider.demonstration(instance);
        List<ChatTemplate.Message> messages = new ArrayList<>(List.of(new ChatTemplate.Message("system", "Be brief.")));
        List<Integer> trained = new ArrayList<>();
        double reward = 0;
        try (Environment env = provider.create()) {
          messages.add(new ChatTemplate.Message("user", env.reset(instance)));
          for (String turn : turns) {
            messages.add(new ChatTemplate.Message("assistant", turn));
            IntStream.concat(Arrays.stream(tok.encode(turn)), IntStream.of(stop)).forEach(trained::add);
            Environment.Step step = env.step(new Environment.Action(turn, true));
            reward += step.reward();
            if (step.done()) {
              break;
            }
            messages.add(new ChatTemplate.Message(step.role(), step.observation()));
          }
        }
        String rendered = template.render(messages, provider.tools().isEmpty() ? null : provider.tools(), false);
        int[] all = tok.encode(rendered);
        int[] tail = tok.encode(template.assistantTurnEnd()); // what the template writes after the last turn
        int[] expected = Arrays.copyOf(all, all.length - tail.length + 1);
        int[] actual = IntStream.concat(Arrays.stream(t.promptTokens()), Arrays.stream(t.responseTokens())).toArray();
        assertArrayEquals(expected, actual, config + " " + task + " instance " + instance);
        List<Integer> masked = new ArrayList<>();
        for (int k = 0; k < t.responseTokens().length; k++) {
          if (t.lossMask()[k] == 1) {
            masked.add(t.responseTokens()[k]);
          }
        }
        assertEquals(trained, masked, "mask 1 on the turns exactly");
        assertEquals(reward, t.reward(), 1e-12);
        assertTrue(t.reward() >= 1, "a demonstration solves its instance: " + t.reward());
        assertEquals(t.responseTokens().length, t.tokenVersions().length);
      }
    }
  }

  @Test
  void binarySearchFindsEveryNumberWithinTheBound() {
    GuessEnvironment guess = configured(new GuessEnvironment(), "max", "32");
    for (long instance = 0; instance < 200; instance++) {
      int turns = guess.demonstration(instance).size();
      assertTrue(turns >= 1 && turns <= 6, "instance " + instance + ": " + turns + " guesses");
    }
  }

  @Test
  void anEnvironmentWithoutDemonstrationsIsNamed() throws Exception {
    EnvironmentProvider none = new EnvironmentProvider() {
      @Override
      public String name() {
        return "plain";
      }

      @Override
      public Environment create() {
        throw new AssertionError("no episode is played without a demonstration");
      }
    };
    Demonstrations demonstrations = new Demonstrations(none, Prompting.raw(new dev.asyncrl.model.CharTokenizer()), 64, 1);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> demonstrations.next(1));
    assertTrue(e.getMessage().contains("'plain' gives no demonstration"), e.getMessage());
  }
}
