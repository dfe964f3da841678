package dev.asyncrl.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncrl.model.hf.ByteLevelTokenizer;
import dev.asyncrl.model.hf.ChatTemplate;
import dev.asyncrl.model.hf.HfTokenizer;
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
            add(episode, dialogue.reply(ids, answers[turn], !cut, said[turn + 1]));
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

  private static void add(List<Integer> to, int[] ids) {
    for (int id : ids) {
      to.add(id);
    }
  }
}
