package dev.crossgate.gateway.task;

import dev.crossgate.problem.Problem;

/** The problem types of the task API; stable type URIs, like every gateway problem. */
final class TaskProblems {
  private TaskProblems() {}

  /**
   * Unknown, released, or another tenant's task: indistinguishable on purpose (no probing of ids).
   */
  static Problem unknownTask(String id) {
    return Problem.notFound("there is no task " + id + " for this API key");
  }

  static Problem resultAlreadyStored(String id) {
    return Problem.of(
        "task-finished",
        "Task already finished",
        409,
        "task " + id + " already has a result; a result is accepted once");
  }

  static Problem noResultYet(String id, String status) {
    return Problem.of(
            "task-unfinished",
            "Task not finished",
            409,
            "task " + id + " is " + status + " and has no result yet")
        .with("taskStatus", status);
  }

  static Problem missingSecret() {
    return Problem.unauthorized(
        "posting a result needs the task's secret (the secret parameter of X-Crossgate-Result-Url,"
            + " or the X-Crossgate-Task-Secret header)");
  }

  /**
   * A result posted for an unknown task or with a wrong secret: one answer for both, so the result
   * endpoint is no oracle for which task ids exist.
   */
  static Problem resultRefused(String id) {
    return Problem.forbidden("no result is accepted for task " + id + " with this secret");
  }

  /**
   * A CALLBACK task on a gateway that does not know its own external URL (see {@link PublicUrl}).
   */
  static Problem publicUrlRequired() {
    return Problem.of(
        "public-url-required",
        "Public URL not configured",
        503,
        "this interface hands its upstream a URL to post the result to, and this gateway does not know its external"
            + " URL; the operator must start it with --public-url (e.g. --public-url https://api.example.com)");
  }

  static Problem malformedEnvelope(String detail) {
    return Problem.of("malformed-envelope", "Malformed envelope", 400, detail);
  }

  /**
   * A tenant over one of its task quotas ({@link TaskOptions.Quota}): collect results or wait for
   * tasks to finish.
   */
  static Problem quotaExceeded(
      String tenant, String bound, long limit, long current, int retryAfterSeconds) {
    return Problem.of(
            "task-quota-exceeded",
            "Task quota exceeded",
            429,
            "tenant "
                + tenant
                + " is at its task quota "
                + bound
                + " = "
                + limit
                + " (now "
                + current
                + "); collect finished results (DELETE /_tasks/{id}) or wait for running tasks")
        .with("quota", bound)
        .with("limit", limit)
        .with("current", current)
        .with("retryAfter", retryAfterSeconds);
  }
}
