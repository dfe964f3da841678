package dev.asyncrl.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A batch reaches the device as the arrays {@link TrainBatch#assemble} laid out, whatever the precision. */
class TrainBatchTest {

  /** Two groups, rows of different lengths, an environment token (mask 0) and tokens of two versions. */
  static TrainBatch batch() {
    Trajectory a = Trajectory.withTokenVersions(new int[] {2, 3}, new int[] {5, 6, 9, 1},
        new float[] {-2.1f, -0.3f, -2.9f, -2.5f}, new byte[] {1, 0, 1, 1}, 1.0, 0, new long[] {4, 4, 5, 5});
    Trajectory b = new Trajectory(new int[] {2, 3, 4}, new int[] {7}, new float[] {-2.6f}, new byte[] {1}, 0.0, 5, 5, 0);
    Trajectory c = new Trajectory(new int[] {8}, new int[] {7, 7}, new float[] {-1.25f, -0.5f}, new byte[] {1, 1}, 0.5,
        4, 4, 0);
    return TrainBatch.assemble(List.of(new TrajectoryGroup(0, "p", List.of(a, b), 0, 0),
        new TrajectoryGroup(1, "q", List.of(c), 0, 0)), 5);
  }

  @Test
  void uploadedViewsHoldTheAssembledArrays() {
    TrainBatch batch = batch();
    double[][] advantages = {{0.75, -0.75}, {1.0 / 3}};
    for (DataType dtype : List.of(DataType.FLOAT32, DataType.FLOAT64)) {
      try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
        TrainBatch.OnDevice on = batch.upload(m, dtype, advantages);
        Shape perToken = new Shape(3, batch.width() - 1);
        assertEquals(new Shape(3, batch.width()), on.tokens().getShape());
        assertArrayEquals(batch.tokens(), on.tokens().toLongArray());
        for (var view : List.of(on.behaviour(), on.mask(), on.onPolicy())) {
          assertEquals(perToken, view.getShape());
          assertEquals(dtype, view.getDataType());
        }
        assertArrayEquals(toDoubles(batch.behaviourLogProbs()), on.behaviour().toType(DataType.FLOAT64, false).toDoubleArray());
        assertArrayEquals(toDoubles(batch.mask()), on.mask().toType(DataType.FLOAT64, false).toDoubleArray());
        assertArrayEquals(toDoubles(batch.onPolicy()), on.onPolicy().toType(DataType.FLOAT64, false).toDoubleArray());
        double[] expected = dtype == DataType.FLOAT64 ? new double[] {0.75, -0.75, 1.0 / 3}
            : new double[] {0.75, -0.75, (float) (1.0 / 3)};
        assertEquals(new Shape(3, 1), on.advantages().getShape());
        assertArrayEquals(expected, on.advantages().toType(DataType.FLOAT64, false).toDoubleArray());
      }
    }
  }

  @Test
  void layoutAlignsResponseTokensWithTheirLogProbColumns() {
    TrainBatch batch = batch();
    int w = batch.width() - 1; // row a: prompt 2, response 4: its response token k scores at column 1 + k
    assertEquals(6, batch.width());
    assertArrayEquals(new float[] {0, -2.1f, -0.3f, -2.9f, -2.5f}, Arrays.copyOfRange(batch.behaviourLogProbs(), 0, w));
    assertArrayEquals(new float[] {0, 1, 0, 1, 1}, Arrays.copyOfRange(batch.mask(), 0, w));
    assertArrayEquals(new float[] {0, 0, 0, 1, 1}, Arrays.copyOfRange(batch.onPolicy(), 0, w)); // version 5 only
    assertEquals(6, batch.trainedTokens());
  }

  @Test
  void withoutAdvantagesThereIsNoAdvantageView() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      assertNull(batch().upload(m, DataType.FLOAT32, null).advantages());
    }
  }

  @Test
  void aWrongNumberOfAdvantagesIsRefused() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> batch().upload(m, DataType.FLOAT32, new double[][] {{1, 2}}));
      assertEquals("3 rows but 2 advantages", e.getMessage());
    }
  }

  private static double[] toDoubles(float[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      d[i] = values[i];
    }
    return d;
  }

  @Test
  void theFirstTrainedColumnIsTheEarliestMaskedTokenOfAnyRow() {
    Trajectory longPrompt = new Trajectory(new int[] {1, 2, 3, 4, 5}, new int[] {6, 7}, new float[2],
        new byte[] {1, 1}, 1.0, 0, 0, 0);
    Trajectory shortPrompt = new Trajectory(new int[] {1, 2, 3}, new int[] {4, 5, 6}, new float[3],
        new byte[] {0, 1, 1}, 0.5, 0, 0, 0);
    TrainBatch batch = TrainBatch.assemble(List.of(new TrajectoryGroup(1, "t", List.of(longPrompt, shortPrompt), 0, 0)), 0);
    assertEquals(3, batch.firstTrainedColumn(), "row 2's first response token is untrained; its second is column 3");
    assertEquals(4, batch.row(0).firstTrainedColumn());
  }
}
