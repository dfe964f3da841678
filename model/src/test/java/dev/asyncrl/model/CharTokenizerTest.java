package dev.asyncrl.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CharTokenizerTest {

  private final CharTokenizer tok = new CharTokenizer();

  @Test
  void roundTripsTheAlphabet() {
    String text = CharTokenizer.ALPHABET;
    assertEquals(text, tok.decode(tok.encode(text)));
    assertArrayEquals(new int[] {5, 4, 2}, tok.encode("320"));
  }

  @Test
  void decodingStopsAtEosAndShowsSampledPadding() {
    int[] answerThenEos = {tok.encode("4")[0], CharTokenizer.EOS, tok.encode("7")[0]};
    assertEquals("4", tok.decode(answerThenEos));
    assertEquals("4<eos>7", tok.transcript(answerThenEos), "a transcript goes on past the stop token");
    int[] padded = {tok.encode("4")[0], CharTokenizer.PAD, CharTokenizer.PAD};
    assertEquals("4__", tok.decode(padded), "a padded answer must not read like the answer itself");
  }

  @Test
  void rejectsWhatItCannotRepresent() {
    assertEquals("character 'x' at 1 of \"1x\" is not in the built-in alphabet \"0123456789+-*=\"",
        assertThrows(IllegalArgumentException.class, () -> tok.encode("1x")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {tok.vocabSize()}));
  }
}
