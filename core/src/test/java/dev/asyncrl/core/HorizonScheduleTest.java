package dev.asyncrl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.asyncrl.core.config.ConfigException;
import dev.asyncrl.core.config.ConfigSchema;
import dev.asyncrl.core.config.ConfigSource;
import dev.asyncrl.core.config.Setting;
import java.util.List;
import org.junit.jupiter.api.Test;

/** rollout.max_turns: a number or a schedule, read from YAML, written back the same way, and checked. */
class HorizonScheduleTest {

  static final Setting<HorizonSchedule> TURNS = Setting.of("rollout.max_turns", HorizonSchedule.TYPE,
      HorizonSchedule.fixed(1), "horizon");

  static HorizonSchedule read(String yaml) {
    return new ConfigSchema(List.of(TURNS)).resolve(ConfigSource.fromString(yaml, "job.yaml")).get(TURNS);
  }

  @Test
  void aScheduleLengthensTheHorizonAtItsSteps() {
    HorizonSchedule s = read("rollout: {max_turns: [5, 10@100, 20@200]}");
    assertEquals(5, s.at(0));
    assertEquals(5, s.at(99));
    assertEquals(10, s.at(100));
    assertEquals(10, s.at(199));
    assertEquals(20, s.at(5000));
    assertEquals(20, s.longest());
    assertEquals("[5, 10@100, 20@200]", HorizonSchedule.TYPE.format(s));
    assertEquals(s, read("rollout: {max_turns: " + HorizonSchedule.TYPE.format(s) + "}"));
  }

  @Test
  void aShrinkingScheduleKeepsRoomForItsLongestStageAndIsEvaluatedAtItsLast() {
    HorizonSchedule s = read("rollout: {max_turns: [12, 6@600]}");
    assertEquals(12, s.longest());
    assertEquals(6, s.last());
    assertEquals(6, s.at(600));
  }

  @Test
  void aNumberIsAFixedHorizon() {
    HorizonSchedule s = read("rollout: {max_turns: 6}");
    assertEquals(HorizonSchedule.fixed(6), s);
    assertEquals(6, s.at(1_000_000));
    assertEquals("6", HorizonSchedule.TYPE.format(s));
  }

  @Test
  void badSchedulesAreOneLineErrorsNamingTheKey() {
    for (String bad : List.of("[5, 10@100, 20@50]", "[5@0, 10@100]", "[5, 10]", "[0]", "[5, x@3]", "0")) {
      ConfigException e = assertThrows(ConfigException.class, () -> read("rollout: {max_turns: " + bad + "}"), bad);
      assertEquals(0, e.getMessage().indexOf("rollout.max_turns at job.yaml:1:"), e.getMessage());
    }
  }
}
