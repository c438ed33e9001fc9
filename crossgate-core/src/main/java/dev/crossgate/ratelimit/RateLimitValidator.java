package dev.crossgate.ratelimit;

import dev.crossgate.problem.FieldError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/** Checks submitted {@link RateLimit.Spec}s field by field. */
public final class RateLimitValidator {
  /** Policies one route may carry: each costs a counter update per request. */
  public static final int MAX_POLICIES = 8;

  /** The largest limit or burst: a billion requests per window. */
  public static final long MAX_LIMIT = 1_000_000_000L;

  private RateLimitValidator() {}

  /**
   * The policies of {@code specs} (null or empty: null, so a route without limits is stored as
   * before), or null with every bad field added to {@code errors} under {@code field}.
   */
  public static List<RateLimit> validate(
      List<RateLimit.Spec> specs, String field, List<FieldError> errors) {
    if (specs == null || specs.isEmpty()) {
      return null;
    }
    int before = errors.size();
    if (specs.size() > MAX_POLICIES) {
      errors.add(new FieldError(field, "at most " + MAX_POLICIES + " policies"));
      return null;
    }
    var out = new ArrayList<RateLimit>();
    var seen = new HashSet<String>();
    for (int i = 0; i < specs.size(); i++) {
      var at = field + "[" + i + "]";
      var spec = specs.get(i);
      if (spec == null) {
        errors.add(new FieldError(at, "must be a policy object"));
        continue;
      }
      RateLimit.Scope scope = null;
      if (spec.scope() == null) {
        errors.add(new FieldError(at + ".scope", "is required"));
      } else {
        try {
          scope = RateLimit.Scope.valueOf(spec.scope());
        } catch (IllegalArgumentException e) {
          errors.add(
              new FieldError(
                  at + ".scope",
                  "'" + spec.scope() + "' is not one of " + List.of(RateLimit.Scope.values())));
        }
      }
      if (spec.limit() == null || spec.limit() < 1 || spec.limit() > MAX_LIMIT) {
        errors.add(new FieldError(at + ".limit", "is required, between 1 and " + MAX_LIMIT));
      }
      var window = RateLimit.Window.parse(spec.window());
      if (window == null) {
        errors.add(new FieldError(at + ".window", "is required: one of 1s, 1m, 1h"));
      }
      if (spec.burst() != null && (spec.burst() < 1 || spec.burst() > MAX_LIMIT)) {
        errors.add(
            new FieldError(at + ".burst", "must be between 1 and " + MAX_LIMIT + " when given"));
      }
      if (scope != null && window != null && !seen.add(scope + "/" + window)) {
        errors.add(
            new FieldError(at, "a second " + scope + " policy per " + window.text() + " window"));
      }
      if (errors.size() == before) {
        out.add(
            new RateLimit(
                scope, spec.limit(), window, spec.burst() == null ? spec.limit() : spec.burst()));
      }
    }
    return errors.size() == before ? List.copyOf(out) : null;
  }
}
