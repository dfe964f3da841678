package dev.asyncrl.rollout.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tool calls read in the shipped templates' formats, the calculator's arithmetic, and what a bad call answers. */
class ToolCallTest {

  @Test
  void hermesCallsAreReadInOrder() {
    List<ToolCall> calls = ToolCall.parse("Let me compute.\n<tool_call>\n{\"name\": \"calculator\", \"arguments\": "
        + "{\"expression\": \"2+3\"}}\n</tool_call>\n<tool_call>{\"name\": \"lookup\", \"arguments\": \"{\\\"q\\\": 1}\"}"
        + "</tool_call>");
    assertEquals(2, calls.size());
    assertEquals("calculator", calls.get(0).name());
    assertEquals("2+3", calls.get(0).arguments().get("expression").asText());
    assertNull(calls.get(0).problem());
    assertEquals("lookup", calls.get(1).name());
    assertEquals(1, calls.get(1).arguments().get("q").asInt(), "arguments written as a JSON string are read");
  }

  @Test
  void llama31JsonCallsAreRead() {
    for (String turn : new String[] {"{\"name\": \"calculator\", \"parameters\": {\"expression\": \"6*7\"}}",
        "<|python_tag|>{\"name\": \"calculator\", \"parameters\": {\"expression\": \"6*7\"}}"}) {
      List<ToolCall> calls = ToolCall.parse(turn);
      assertEquals(1, calls.size(), turn);
      assertEquals("6*7", calls.get(0).arguments().get("expression").asText());
    }
  }

  @Test
  void aTurnWithoutACallIsAnAnswer() {
    assertTrue(ToolCall.parse("The answer is 42.").isEmpty());
    assertTrue(ToolCall.parse("{\"name\" is a word} and so is this").isEmpty(), "prose with a brace is not a call");
  }

  @Test
  void brokenCallsAreCallsWithAProblem() {
    ToolCall unclosed = ToolCall.parse("<tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": ").get(0);
    assertTrue(unclosed.problem().startsWith("the tool call is not valid JSON"), unclosed.problem());
    ToolCall noArguments = ToolCall.parse("<tool_call>{\"name\": \"calculator\"}</tool_call>").get(0);
    assertEquals("the call of calculator needs \"arguments\" as a JSON object", noArguments.problem());
    ToolCall noName = ToolCall.parse("<tool_call>[1, 2]</tool_call>").get(0);
    assertTrue(noName.problem().startsWith("the tool call must be a JSON object"), noName.problem());
  }

  @Test
  void badCallsAreAnsweredForTheModelToRead() {
    ToolUse tools = new ToolUse(null, List.of(new Calculator()));
    assertEquals("7", tools.run(ToolCall.parse("<tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": "
        + "\"3 + 4\"}}</tool_call>").get(0)));
    assertEquals("error: there is no tool named 'search'; the tools are calculator",
        tools.run(ToolCall.parse("<tool_call>{\"name\": \"search\", \"arguments\": {}}</tool_call>").get(0)));
    assertEquals("error: calculator needs \"expression\" as a string",
        tools.run(ToolCall.parse("<tool_call>{\"name\": \"calculator\", \"arguments\": {\"expr\": \"1\"}}</tool_call>").get(0)));
    assertTrue(tools.run(ToolCall.parse("<tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": \"1/0\"}}"
        + "</tool_call>").get(0)).startsWith("error: cannot evaluate '1/0': division by zero"));
  }

  @Test
  void theCalculatorIsExactDecimalArithmetic() {
    assertEquals(new BigDecimal("0.3"), Calculator.evaluate("0.1 + 0.2"));
    assertEquals(0, new BigDecimal("14").compareTo(Calculator.evaluate("2 + 3 * 4")));
    assertEquals(0, new BigDecimal("20").compareTo(Calculator.evaluate("(2 + 3) * 4")));
    assertEquals(0, new BigDecimal("512").compareTo(Calculator.evaluate("2 ^ 3 ^ 2")), "^ is right-associative");
    assertEquals(0, new BigDecimal("-1.5").compareTo(Calculator.evaluate("-(1 + 2) / 2")));
    assertEquals(0, new BigDecimal("1250").compareTo(Calculator.evaluate("1,000 + 250")));
    assertEquals("12.5", new Calculator().call(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
        .put("expression", "25/2")));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Calculator.evaluate("2 + * 3"));
    assertEquals("cannot evaluate '2 + * 3': expected a number at '*' (at character 5)", bad.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Calculator.evaluate("(1 + 2"));
    assertThrows(IllegalArgumentException.class, () -> Calculator.evaluate("2 ^ 0.5"));
  }

  @Test
  void theCalculatorIsDescribedInHuggingFacesKeyOrder() throws Exception {
    assertEquals("{\"type\":\"function\",\"function\":{\"name\":\"calculator\",\"description\":\""
        + new Calculator().description() + "\",\"parameters\":{\"type\":\"object\",\"properties\":{\"expression\":"
        + "{\"type\":\"string\",\"description\":\"the expression to evaluate\"}},\"required\":[\"expression\"]}}}",
        new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(new Calculator().schema()));
  }

  @Test
  void orderedMapsKeepTheOrderTheyAreWrittenIn() {
    List<String> keys = List.of("q", "a", "z", "b", "y", "c", "x");
    Object[] pairs = keys.stream().flatMap(k -> java.util.stream.Stream.of(k, k.toUpperCase())).toArray();
    assertEquals(keys, List.copyOf(OrderedMap.of(pairs).keySet()));
    assertEquals("A", OrderedMap.of(pairs).get("a"));
    assertThrows(UnsupportedOperationException.class, () -> OrderedMap.of(pairs).put("d", 1));
    assertEquals("key 'a' appears twice", assertThrows(IllegalArgumentException.class,
        () -> OrderedMap.of("a", 1, "a", 2)).getMessage());
    assertEquals("key 'b' has no value", assertThrows(IllegalArgumentException.class,
        () -> OrderedMap.of("a", 1, "b")).getMessage());
    assertEquals("key 3 is not a string", assertThrows(IllegalArgumentException.class,
        () -> OrderedMap.of(3, 1)).getMessage());
    assertEquals("key 'a' has a null value", assertThrows(IllegalArgumentException.class,
        () -> OrderedMap.of("a", null)).getMessage());
  }
}
