package dev.crossgate.tenant;

import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.ratelimit.RateLimitValidator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.regex.Pattern;

/** Checks a {@link TenantSpec}; every invalid field is named in one 400 problem. */
public final class TenantValidator {
  /** Tenant ids: lowercase, so that they are safe in paths, keys and flow steps alike. */
  public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  public static final int MAX_NAME_LENGTH = 200;

  private TenantValidator() {}

  /**
   * Validates {@code spec} as the tenant {@code id}: for a new tenant {@code id} is the spec's own,
   * for an update the one addressed (a different id in the body is refused).
   *
   * @throws ProblemException a 400 validation problem listing every invalid field
   */
  public static TenantSpec validate(String id, TenantSpec spec) {
    var errors = new ArrayList<FieldError>();
    if (id == null || !ID.matcher(id).matches()) {
      errors.add(new FieldError("id", "is required: 1-63 lowercase letters, digits or '-'"));
    } else if (spec.id() != null && !spec.id().equals(id)) {
      errors.add(new FieldError("id", "does not match the tenant addressed (" + id + ")"));
    }
    if (spec.name() == null || spec.name().isBlank() || spec.name().length() > MAX_NAME_LENGTH) {
      errors.add(new FieldError("name", "is required, at most " + MAX_NAME_LENGTH + " characters"));
    }
    RateLimitValidator.validate(spec.rateLimits(), "rateLimits", errors);
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
    return new TenantSpec(
        id, spec.name().trim(), !Boolean.FALSE.equals(spec.enabled()), spec.rateLimits());
  }

  /**
   * The tenant {@code valid} describes (a spec {@link #validate} returned), with its server fields.
   */
  public static Tenant tenant(TenantSpec valid, Instant created, Instant updated, long revision) {
    return new Tenant(
        valid.id(),
        valid.name(),
        valid.enabled(),
        created,
        updated,
        revision,
        RateLimitValidator.validate(valid.rateLimits(), "rateLimits", new ArrayList<>()));
  }
}
