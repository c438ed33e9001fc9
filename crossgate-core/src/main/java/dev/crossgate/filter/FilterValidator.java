package dev.crossgate.filter;

import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.RouteValidator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Validates a {@link FilterSpec}; every invalid field is named in one 400 problem. */
public final class FilterValidator {
  private FilterValidator() {}

  public static FilterRule validate(String id, FilterSpec spec, String actor, Instant now) {
    var errors = new ArrayList<FieldError>();
    var rule = build(id, spec, actor, now, errors);
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
    return rule;
  }

  /** Every invalid field of {@code spec}, without building a rule (for a body read in part). */
  public static List<FieldError> check(FilterSpec spec) {
    var errors = new ArrayList<FieldError>();
    build("fl_check", spec, null, null, errors);
    return errors;
  }

  /** The rule, or null with {@code errors} naming each invalid field. */
  private static FilterRule build(
      String id, FilterSpec spec, String actor, Instant now, List<FieldError> errors) {
    FilterRule.Kind kind = null;
    if (spec.kind() == null) {
      errors.add(new FieldError("kind", "is required"));
    } else {
      try {
        kind = FilterRule.Kind.valueOf(spec.kind());
      } catch (IllegalArgumentException e) {
        errors.add(
            new FieldError(
                "kind",
                "'" + spec.kind() + "' is not one of " + List.of(FilterRule.Kind.values())));
      }
    }
    var value = spec.value() == null ? null : spec.value().trim();
    if (value == null || value.isEmpty()) {
      errors.add(new FieldError("value", "is required"));
    } else if (kind != null) {
      var problem = checkValue(kind, value);
      if (problem != null) {
        errors.add(new FieldError("value", problem));
      }
    }
    if (kind == FilterRule.Kind.HEADER
        && (spec.header() == null || !spec.header().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+"))) {
      errors.add(new FieldError("header", "a HEADER rule needs a valid header name"));
    }
    int status =
        spec.status() == null ? (kind == FilterRule.Kind.BODY_SIZE ? 413 : 403) : spec.status();
    if (status < 400 || status > 599) {
      errors.add(new FieldError("status", "must be an error status between 400 and 599"));
    }
    if (spec.name() != null && spec.name().length() > 128) {
      errors.add(new FieldError("name", "must be at most 128 characters"));
    }
    if (spec.message() != null && spec.message().length() > 500) {
      errors.add(new FieldError("message", "must be at most 500 characters"));
    }
    var scope = FilterRule.Scope.GLOBAL;
    if (spec.scope() != null) {
      try {
        scope = FilterRule.Scope.valueOf(spec.scope());
      } catch (IllegalArgumentException e) {
        errors.add(
            new FieldError(
                "scope",
                "'" + spec.scope() + "' is not one of " + List.of(FilterRule.Scope.values())));
      }
    }
    var target = spec.target() == null ? null : spec.target().trim();
    var targetProblem = targetProblem(scope, target);
    if (targetProblem != null) {
      errors.add(new FieldError("target", targetProblem));
    }
    if (!errors.isEmpty()) {
      return null;
    }
    return new FilterRule(
        id,
        spec.name(),
        spec.priority() == null ? 100 : spec.priority(),
        kind,
        value,
        spec.header(),
        status,
        spec.message(),
        !Boolean.FALSE.equals(spec.enabled()),
        actor,
        now,
        0,
        scope,
        target);
  }

  private static String targetProblem(FilterRule.Scope scope, String target) {
    return switch (scope) {
      case GLOBAL -> target == null || target.isEmpty() ? null : "a GLOBAL rule names no target";
      case SERVICE ->
          target != null && RouteValidator.SERVICE.matcher(target).matches()
              ? null
              : "a SERVICE rule names the service";
      case ROUTE ->
          target != null && target.matches("rt_[A-Za-z0-9_-]{1,64}")
              ? null
              : "a ROUTE rule names the route id (rt_...)";
      case ENDPOINT ->
          target != null && FilterRule.ENDPOINTS.contains(target)
              ? null
              : "an ENDPOINT rule names one of " + FilterRule.ENDPOINTS.stream().sorted().toList();
    };
  }

  private static String checkValue(FilterRule.Kind kind, String value) {
    return switch (kind) {
      case IP ->
          Cidr.parse(value) == null ? "'" + value + "' is not an IP address or CIDR block" : null;
      case PATH_PREFIX -> value.startsWith("/") ? null : "a path prefix must start with '/'";
      case PATH_REGEX, HEADER, USER_AGENT -> regexProblem(value);
      case METHOD ->
          RouteValidator.METHODS.contains(value) ? null : "'" + value + "' is not an HTTP method";
      case BODY_SIZE -> value.matches("\\d{1,18}") ? null : "must be a number of bytes";
    };
  }

  private static String regexProblem(String value) {
    try {
      Pattern.compile(value);
      return null;
    } catch (PatternSyntaxException e) {
      return "is not a valid regular expression: "
          + e.getDescription()
          + " near index "
          + e.getIndex();
    }
  }
}
