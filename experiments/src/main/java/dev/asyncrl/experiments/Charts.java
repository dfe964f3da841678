package dev.asyncrl.experiments;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * How asyncrl draws line charts: one style for every plot (plain step numbers on the x axis with room between
 * labels, short decimals, a qualitative palette whose colours are told apart easily), fixed ranges for bounded
 * metrics, raw and smoothed lines, and panels stacked into one PNG.
 */
public final class Charts {
  private Charts() {}

  /** Tableau's 10 qualitative colours: neighbours differ in hue, so many series stay apart. */
  public static final List<Color> PALETTE = List.of(new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759),
      new Color(0x76B7B2), new Color(0x59A14F), new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7),
      new Color(0x9C755F), new Color(0xBAB0AC));

  /** A chart in the house style, its step axis from 0 to past {@code lastStep} with round ticks. */
  public static XYChart chart(int width, int height, String title, String yTitle, double lastStep) {
    System.setProperty("java.awt.headless", "true");
    XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle("step").yAxisTitle(yTitle)
        .build();
    var st = chart.getStyler();
    st.setXAxisDecimalPattern("#");
    st.setYAxisDecimalPattern("#,##0.###");
    // Below the plot, in a row: a legend inside the plot area sits on the lines it names.
    st.setLegendPosition(Styler.LegendPosition.OutsideS);
    st.setLegendLayout(Styler.LegendLayout.Horizontal);
    // xchart counts ticks from the axis ends: both on round values give round ticks (0, 200, 400, ...).
    st.setXAxisMin(0.0);
    st.setXAxisMax(axisEnd(lastStep));
    st.setLegendBackgroundColor(new Color(255, 255, 255, 200));
    st.setChartBackgroundColor(Color.WHITE);
    st.setPlotGridVerticalLinesVisible(false);
    st.setMarkerSize(0);
    return chart;
  }

  /** The first multiple of a 1-2-5 tick spacing (about 8 ticks to {@code last}) that lies beyond {@code last}. */
  static double axisEnd(double last) {
    double raw = Math.max(last, 1) / 8;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double spacing = raw <= magnitude ? magnitude : raw <= 2 * magnitude ? 2 * magnitude
        : raw <= 5 * magnitude ? 5 * magnitude : 10 * magnitude;
    return (Math.floor(last / spacing) + 1) * spacing;
  }

  /** A line without markers in {@code color}; {@code faint} draws it thin and translucent (raw data under a trend). */
  public static XYSeries line(XYChart chart, String name, double[] x, double[] y, Color color, boolean faint) {
    XYSeries s = chart.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(faint ? new Color(color.getRed(), color.getGreen(), color.getBlue(), 70) : color);
    s.setLineStyle(new BasicStroke(faint ? 1f : 2f));
    return s;
  }

  /**
   * Sets the y range of a bounded metric (a rate, a reward in [0, 1]): {@code [lo, hi]} when every value lies
   * within it, else as {@link #autoRange}.
   */
  public static void yRange(XYChart chart, double lo, double hi, double[]... series) {
    double[] span = span(series);
    if (span == null || span[0] >= lo && span[1] <= hi) {
      chart.getStyler().setYAxisMin(lo).setYAxisMax(hi);
      return;
    }
    autoRange(chart, series);
  }

  /**
   * Sets the y range to the data's with some margin, widened around a constant series so that it is not drawn
   * as a step; small values (a learning rate) get scientific labels.
   */
  public static void autoRange(XYChart chart, double[]... series) {
    double[] span = span(series);
    if (span == null) {
      return;
    }
    double min = span[0];
    double max = span[1];
    double size = Math.max(Math.abs(min), Math.abs(max));
    double margin = max > min ? 0.05 * (max - min) : size > 0 ? size * 0.1 : 1;
    chart.getStyler().setYAxisMin(min - margin).setYAxisMax(max + margin);
    if (size > 0 && size < 0.01) {
      chart.getStyler().setYAxisDecimalPattern("0.0#E0");
    }
  }

  /** {min, max} over the finite values of {@code series}, or null when there are none. */
  private static double[] span(double[]... series) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double[] s : series) {
      for (double v : s) {
        if (Double.isFinite(v)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
    }
    return min == Double.POSITIVE_INFINITY ? null : new double[] {min, max};
  }

  /** Trailing moving average over {@code window} steps, skipping missing values. */
  public static double[] smooth(double[] x, int window) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double s = 0;
      int k = 0;
      for (int j = Math.max(0, i - window + 1); j <= i; j++) {
        if (Double.isFinite(x[j])) {
          s += x[j];
          k++;
        }
      }
      out[i] = k == 0 ? Double.NaN : s / k;
    }
    return out;
  }

  /** A smoothing window for {@code n} points: about 2% of them, at least 1. */
  public static int window(int n) {
    return Math.max(1, n / 50);
  }

  /** 1, 2, ..., n. */
  public static double[] steps(int n) {
    double[] x = new double[n];
    Arrays.setAll(x, i -> i + 1);
    return x;
  }

  /** Writes {@code panels} stacked top to bottom into one PNG. */
  public static void save(List<XYChart> panels, Path png) {
    save(panels, 1, null, png);
  }

  /**
   * Writes {@code panels} into one PNG, {@code columns} side by side and then row by row, under {@code title}
   * (null: none).
   */
  public static void save(List<XYChart> panels, int columns, String title, Path png) {
    int cellWidth = panels.stream().mapToInt(XYChart::getWidth).max().orElse(1);
    int cellHeight = panels.stream().mapToInt(XYChart::getHeight).max().orElse(1);
    int rows = (panels.size() + columns - 1) / columns;
    int header = title == null ? 0 : 36;
    int width = columns * cellWidth;
    int height = Math.max(1, header + (columns == 1 ? panels.stream().mapToInt(XYChart::getHeight).sum() : rows * cellHeight));
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    if (title != null) {
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
      g.drawString(title, (width - g.getFontMetrics().stringWidth(title)) / 2, 24);
    }
    int y = header;
    for (int i = 0; i < panels.size(); i++) {
      XYChart panel = panels.get(i);
      int column = i % columns;
      g.drawImage(BitmapEncoder.getBufferedImage(panel), column * cellWidth, y, null);
      if (column == columns - 1 || i == panels.size() - 1) {
        y += columns == 1 ? panel.getHeight() : cellHeight;
      }
    }
    g.dispose();
    try {
      if (!ImageIO.write(out, "png", png.toFile())) {
        throw new IOException("no PNG writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
    }
  }
}
