package dev.asyncrl.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncrl.model.hf.ByteLevelTokenizer;
import dev.asyncrl.model.hf.ChatTemplate;
import dev.asyncrl.model.hf.HfTokenizer;
import dev.asyncrl.rollout.tools.Calculator;
import dev.asyncrl.rollout.tools.ToolUse;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An episode's tokens, built turn by turn (the model's sampled ids, then what the environment says), equal the
 * chat template's rendering of the whole conversation, tokenized at once: per real template, with turns that
 * end in the model's stop token and turns cut at the length limit.
 */
class DialogueTest {

  @TempDir
  Path dir;

  @ParameterizedTest
  @CsvSource({
      "qwen2.5-tokenizer_config.json, '<|endoftext|>,<|im_start|>,<|im_end|>'",
      "llama3-tokenizer_config.json, '<|begin_of_text|>,<|start_header_id|>,<|end_header_id|>,<|eot_id|>'"})
  void turnByTurnTokensEqualTheRenderedConversation(String config, String specials) throws Exception {
    try (InputStream in = DialogueTest.class.getResourceAsStream("/templates/" + config)) {
      ByteLevelTokenizer.write(dir, List.of(specials.split(",")), new String(in.readAllBytes()));
    }
    try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
      ChatTemplate template = tokenizer.chatTemplate().orElseThrow();
      Prompting prompting = new Prompting(tokenizer, template, "Find my number.");
      int stop = tokenizer.encode(template.assistantTurnEnd())[0];
      String[] said = {"Guess a number from 1 to 32.", "Higher.", "Lower.", "Higher."};
      String[] answers = {"16", "24", "20", "22"};
      for (boolean cutLast : new boolean[] {false, true}) {
        Prompting.Dialogue dialogue = prompting.dialogue();
        List<Integer> episode = new ArrayList<>();
        add(episode, dialogue.open(said[0]));
        List<ChatTemplate.Message> messages = new ArrayList<>(List.of(new ChatTemplate.Message("system", "Find my number."),
            new ChatTemplate.Message("user", said[0])));
        for (int turn = 0; turn < answers.length; turn++) {
          boolean cut = cutLast && turn == 2; // this turn reached the length limit: no stop token was sampled
          int[] ids = tokenizer.encode(answers[turn]);
          if (!cut) {
            ids = IntStream.concat(Arrays.stream(ids), IntStream.of(stop)).toArray();
          }
          add(episode, ids);
          messages.add(new ChatTemplate.Message("assistant", answers[turn]));
          if (turn + 1 < answers.length) {
            add(episode, dialogue.reply(ids, answers[turn], !cut, said[turn + 1], "user"));
            messages.add(new ChatTemplate.Message("user", said[turn + 1]));
          }
        }
        int[] rendered = tokenizer.encode(template.render(messages, false));
        int[] tail = tokenizer.encode(template.assistantTurnEnd()); // what the template writes after the last turn
        int[] expected = Arrays.copyOf(rendered, rendered.length - tail.length + 1);
        assertArrayEquals(expected, episode.stream().mapToInt(Integer::intValue).toArray(), config + ", cut " + cutLast);
        assertEquals(stop, expected[expected.length - 1]);
      }
    }
  }

  /**
   * Tool use on Qwen2.5's template: the tools are described in the system turn, the model's calls stay its own
   * tokens, and the results are rendered as the template's tool messages; the episode equals the rendering of
   * the whole conversation with its tools. A malformed call is answered, not fatal.
   */
  @org.junit.jupiter.api.Test
  void toolCallsAndTheirResultsEqualTheRenderedConversationWithTools() throws Exception {
    try (InputStream in = DialogueTest.class.getResourceAsStream("/templates/qwen2.5-tokenizer_config.json")) {
      ByteLevelTokenizer.write(dir, List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"), new String(in.readAllBytes()));
    }
    try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
      ChatTemplate template = tokenizer.chatTemplate().orElseThrow();
      EnvironmentProvider answerChecked = new EnvironmentProvider() {
        public String name() {
          return "answer";
        }

        public Environment create() {
          return new Environment() {
            public String reset(long instance) {
              return "What is 12 * 7 + 3?";
            }

            public Step step(Action action) {
              return Step.end(action.text().contains("87") ? 1 : 0);
            }
          };
        }
      };
      ToolUse toolUse = new ToolUse(answerChecked, List.of(new Calculator()));
      Prompting prompting = new Prompting(tokenizer, template, null).withTools(toolUse.tools());
      int stop = tokenizer.encode(template.assistantTurnEnd())[0];
      String[] turns = {
          "<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"12 * 7\"}}\n</tool_call>",
          "<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"84 +\"\n</tool_call>",
          "<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"84 + 3\"}}\n</tool_call>",
          "12 * 7 + 3 = 87."};
      Environment env = toolUse.create();
      String question = env.reset(0);
      Prompting.Dialogue dialogue = prompting.dialogue();
      List<Integer> episode = new ArrayList<>();
      add(episode, dialogue.open(question));
      List<ChatTemplate.Message> messages = new ArrayList<>(List.of(new ChatTemplate.Message("user", question)));
      List<String> results = new ArrayList<>();
      Environment.Step last = null;
      for (String turn : turns) {
        int[] ids = IntStream.concat(Arrays.stream(tokenizer.encode(turn)), IntStream.of(stop)).toArray();
        add(episode, ids);
        messages.add(new ChatTemplate.Message("assistant", turn));
        last = env.step(new Environment.Action(turn, true));
        if (!last.done()) {
          assertEquals("tool", last.role());
          results.add(last.observation());
          add(episode, dialogue.reply(ids, turn, true, last.observation(), last.role()));
          messages.add(new ChatTemplate.Message("tool", last.observation()));
        }
      }
      assertEquals("84", results.get(0));
      org.junit.jupiter.api.Assertions.assertTrue(results.get(1).startsWith("error: the tool call is not valid JSON"),
          results.get(1));
      assertEquals("87", results.get(2));
      assertEquals(new Environment.Step("", 1, true), last);
      String whole = template.render(messages, toolUse.tools(), false);
      org.junit.jupiter.api.Assertions.assertTrue(whole.contains("<tools>") && whole.contains("\"name\": \"calculator\"")
          && whole.contains("<tool_response>\n84\n</tool_response>"), whole);
      int[] rendered = tokenizer.encode(whole);
      int[] tail = tokenizer.encode(template.assistantTurnEnd());
      int[] expected = Arrays.copyOf(rendered, rendered.length - tail.length + 1);
      assertArrayEquals(expected, episode.stream().mapToInt(Integer::intValue).toArray());
    }
  }

  private static void add(List<Integer> to, int[] ids) {
    for (int id : ids) {
      to.add(id);
    }
  }
}
