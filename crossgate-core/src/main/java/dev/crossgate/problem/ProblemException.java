package dev.crossgate.problem;

/**
 * Carries a {@link Problem} up to the one renderer of an entry point. The message is the problem's
 * safe detail; the cause, when any, is for the log only.
 */
public final class ProblemException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Problem problem;

  public ProblemException(Problem problem) {
    super(problem.detail(), null, false, false);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
