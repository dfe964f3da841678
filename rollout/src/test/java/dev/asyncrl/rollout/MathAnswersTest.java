package dev.asyncrl.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class MathAnswersTest {

  @Test
  void extractsGsm8kBoxedAndLastNumber() {
    assertEquals(Optional.of("72"), MathAnswers.extract("Natalia sold 48/2 = 24 clips in May.\n#### 72"));
    assertEquals(Optional.of("\\frac{1}{2}"), MathAnswers.extract("so the answer is \\boxed{\\frac{1}{2}}."));
    assertEquals(Optional.of("3"), MathAnswers.extract("\\boxed{1} first, then finally \\boxed{3}"), "the last box");
    assertEquals(Optional.of("18"), MathAnswers.extract("She has 5 apples, eats 2, then buys 15: 18 apples left"));
    assertEquals(Optional.of("1,250.50"), MathAnswers.extract("Total: $1,250.50"));
    assertEquals(Optional.of("-4"), MathAnswers.extract("x = -4"));
    assertEquals(Optional.empty(), MathAnswers.extract("I don't know"));
    assertEquals(Optional.of("7"), MathAnswers.extract("\\boxed{12 and then cut off... 7"), "unbalanced box: last number");
  }

  @Test
  void commasInNumbers() {
    assertTrue(MathAnswers.correct("The total is 1,000", "1000"));
    assertTrue(MathAnswers.correct("#### 12,345,678", "12345678"));
    assertTrue(MathAnswers.equivalent("1000.0", "1,000"));
    assertFalse(MathAnswers.correct("The total is 1,001", "1000"));
  }

  @Test
  void negativeNumbers() {
    assertTrue(MathAnswers.correct("the temperature fell to -12 degrees", "-12"));
    assertFalse(MathAnswers.correct("the temperature fell to 12 degrees", "-12"));
    assertTrue(MathAnswers.equivalent("-0.5", "\\frac{-1}{2}"));
    assertTrue(MathAnswers.equivalent("-\\frac{1}{2}", "-1/2"));
  }

  @Test
  void fractions() {
    assertTrue(MathAnswers.equivalent("\\frac{3}{4}", "0.75"));
    assertTrue(MathAnswers.equivalent("\\dfrac{6}{8}", "3/4"));
    assertTrue(MathAnswers.equivalent("\\frac34", "0.75"));
    assertTrue(MathAnswers.correct("so \\boxed{\\frac{2}{3}}", "4/6"));
    assertFalse(MathAnswers.equivalent("2/3", "0.67"), "no rounding: 2/3 is not 0.67");
    assertFalse(MathAnswers.equivalent("1/0", "0"), "a zero denominator is not a number");
  }

  @Test
  void unitsAndCurrency() {
    assertTrue(MathAnswers.correct("#### $18", "18"));
    assertTrue(MathAnswers.correct("#### 18 dollars", "18"));
    assertTrue(MathAnswers.correct("The answer is \\boxed{5\\text{ cm}}.", "5"));
    assertTrue(MathAnswers.correct("It takes 45 minutes.", "45"));
    assertTrue(MathAnswers.correct("#### 25%", "25"));
    assertTrue(MathAnswers.equivalent("\\$1,250.50", "1250.5"));
  }

  @Test
  void severalNumbersInTheAnswer() {
    assertTrue(MathAnswers.correct("3 + 4 = 7, and 7 * 2 = 14. So she pays 14.", "14"), "the last number counts");
    assertFalse(MathAnswers.correct("14 is wrong; it is 15", "14"));
    assertTrue(MathAnswers.correct("First 14, but the final answer is \\boxed{15}. Check: 15 - 1 = 14", "15"),
        "a box beats later numbers");
    assertTrue(MathAnswers.correct("#### 15\nThen some trailing 99", "15"), "#### beats everything");
  }

  @Test
  void nonNumericAnswersCompareAsNormalisedText() {
    assertTrue(MathAnswers.equivalent("\\left( 3, 4 \\right)", "(3,4)"));
    assertTrue(MathAnswers.equivalent("x^2 + 1", "x^2+1"));
    assertFalse(MathAnswers.equivalent("", ""));
  }
}
