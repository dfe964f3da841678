package dev.asyncrl.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MathTaskTest {

  @TempDir
  Path tmp;

  @Test
  void readsGsm8kAndMathStyleReferences() throws Exception {
    Path gsm = tmp.resolve("gsm.jsonl");
    Files.write(gsm, List.of("{\"question\": \"2+2?\", \"answer\": \"2+2=4\\n#### 4\"}", "",
        "{\"question\": \"half?\", \"answer\": \"\\\\frac{1}{2}\"}"));
    MathTask task = MathTask.load(gsm, null, "question", "answer", "Q: {question}", 0);
    SplittableRandom rng = new SplittableRandom(0);
    Set<TaskInstance> drawn = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      drawn.add(task.next(rng));
    }
    assertEquals(Set.of(new TaskInstance("Q: 2+2?", "4"), new TaskInstance("Q: half?", "\\frac{1}{2}")), drawn,
        "the template wraps each question; #### answers are extracted, bare ones kept; blank lines skipped");
    assertEquals("Q: half?".length(), task.longestPrompt(String::length));
    assertEquals(1.0, task.reward().score(new TaskInstance("Q", "4"), "so it is \\boxed{4}", true));
    assertEquals(0.0, task.reward().score(new TaskInstance("Q", "4"), "5", true));
    assertEquals(List.of(), task.evaluationSet());
    assertEquals("\\frac{1}{2}", MathTask.referenceAnswer("\\frac{1}{2}"), "a bare answer is kept whole");
    assertEquals("3", MathTask.referenceAnswer("so \\boxed{3}"));
  }

  @Test
  void badLinesAreNamedByFileAndLine() throws Exception {
    Path bad = tmp.resolve("bad.jsonl");
    Files.write(bad, List.of("{\"question\": \"1+1\", \"answer\": \"#### 2\"}", "{\"problem\": \"x\", \"answer\": \"1\"}"));
    assertEquals(bad + ":2: no \"question\" field (set task.question_field / task.answer_field to this file's names)",
        assertThrows(IllegalArgumentException.class, () -> MathTask.load(bad, null, "question", "answer", "{question}", 0))
            .getMessage());
    Files.write(bad, List.of("{\"question\": \"1+1\", \"answer\": \"#### 2\"}", "{oops"));
    String msg = assertThrows(IllegalArgumentException.class,
        () -> MathTask.load(bad, null, "question", "answer", "{question}", 0)).getMessage();
    assertEquals(bad + ":2: not valid JSON", msg.substring(0, msg.indexOf("JSON") + 4));
    assertEquals(tmp.resolve("none.jsonl") + ": no such file", assertThrows(IllegalArgumentException.class,
        () -> MathTask.load(tmp.resolve("none.jsonl"), null, "question", "answer", "{question}", 0)).getMessage());
    assertEquals("task.prompt_template must contain {question}, got \"Solve.\"", assertThrows(
        IllegalArgumentException.class, () -> MathTask.load(bad, null, "q", "a", "Solve.", 0)).getMessage());
  }
}
