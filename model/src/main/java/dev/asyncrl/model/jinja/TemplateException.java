package dev.asyncrl.model.jinja;

/**
 * A template that cannot be parsed or rendered. {@link #line} is the template line (1-based; 0 when unknown);
 * {@link #raised} is true when the template itself rejected its input with {@code raise_exception(message)}.
 */
public final class TemplateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final boolean raised;

  TemplateException(String message, int line, boolean raised) {
    super(message);
    this.line = line;
    this.raised = raised;
  }

  static TemplateException at(int line, String message) {
    return new TemplateException(message, line, false);
  }

  public int line() {
    return line;
  }

  public boolean raised() {
    return raised;
  }
}
