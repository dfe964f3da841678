package dev.asyncrl.model.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One small template per Jinja2 behaviour chat templates rely on (whitespace control, precedence, Python
 * printing, string methods, slices, loop fields and scoping, filters, tests, macros, tojson, undefined
 * values), each equal to Python Jinja2's render ({@code golden/jinja-semantics.json}, from
 * {@code model/src/test/python/jinja_semantics.py}).
 */
class TemplateSemanticsTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Map<String, Function<List<Object>, Object>> FUNCTIONS = Map.of("strftime_now",
      args -> Strftime.format((String) args.get(0), LocalDateTime.of(2026, 11, 29, 12, 0)));

  static Stream<Arguments> cases() throws Exception {
    try (InputStream in = TemplateSemanticsTest.class.getResourceAsStream("/golden/jinja-semantics.json")) {
      JsonNode all = JSON.readTree(in);
      return java.util.stream.StreamSupport.stream(all.spliterator(), false)
          .map(c -> Arguments.of(c.get("name").asText(), c));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @SuppressWarnings("unchecked")
  void rendersAsPythonJinja2(String name, JsonNode c) {
    Map<String, Object> variables = JSON.convertValue(c.get("variables"), Map.class);
    assertEquals(c.get("expected").asText(), Template.parse(c.get("template").asText()).render(variables, FUNCTIONS));
  }

  @Test
  void syntaxErrorsNameTheLine() {
    TemplateException e = assertThrows(TemplateException.class, () -> Template.parse("a\n{% if x %}\nb\n{% endfor %}"));
    assertEquals(4, e.line());
    assertTrue(e.getMessage().contains("endfor"), e.getMessage());
    e = assertThrows(TemplateException.class, () -> Template.parse("{{ 1 + }}"));
    assertEquals(1, e.line());
  }

  @Test
  void raiseExceptionCarriesTheTemplatesMessage() {
    TemplateException e = assertThrows(TemplateException.class,
        () -> Template.parse("{{ raise_exception('roles must alternate') }}").render(Map.of(), Map.of()));
    assertTrue(e.raised());
    assertEquals("roles must alternate", e.getMessage());
  }

  @Test
  void listsAndDictsCannotBeChangedFromATemplate() {
    TemplateException e = assertThrows(TemplateException.class,
        () -> Template.parse("{% set xs = [1] %}{{ xs.append(2) }}").render(Map.of(), Map.of()));
    assertTrue(e.getMessage().startsWith("SecurityError"), e.getMessage());
  }
}
