package dev.crossgate.problem;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * An RFC 9457 problem detail: the one error shape of every Crossgate entry point (Admin API,
 * gateway replies, agent, transfers). {@code type} URIs are stable and documented in the README;
 * {@code detail} is always safe to show (internal causes go to the log, never here).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    String instance,
    List<FieldError> errors,
    @JsonIgnore Map<String, Object> extensions) {

  public static final String MEDIA_TYPE = "application/problem+json";
  private static final java.util.Set<String> STANDARD_MEMBERS =
      java.util.Set.of("type", "title", "status", "detail", "instance", "errors");
  private static final String BASE = "https://crossgate.dev/problems/";

  public Problem {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("a problem has an error status, got " + status);
    }
    errors = errors == null ? List.of() : List.copyOf(errors);
    extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
  }

  public static Problem of(String typeName, String title, int status, String detail) {
    return new Problem(BASE + typeName, title, status, detail, null, List.of(), Map.of());
  }

  public Problem withInstance(String instance) {
    return new Problem(type, title, status, detail, instance, errors, extensions);
  }

  public Problem withErrors(List<FieldError> fieldErrors) {
    return new Problem(type, title, status, detail, instance, fieldErrors, extensions);
  }

  /**
   * Adds a member beside the standard ones (RFC 9457 section 3.2), e.g. {@code conflictingRoute}.
   */
  public Problem with(String key, Object value) {
    if (STANDARD_MEMBERS.contains(key)) {
      throw new IllegalArgumentException(
          "'" + key + "' is a standard problem member; name the extension otherwise");
    }
    var merged = new java.util.LinkedHashMap<>(extensions);
    merged.put(key, value);
    return new Problem(type, title, status, detail, instance, errors, merged);
  }

  /** Extension members are written beside the standard ones, as RFC 9457 section 3.2 asks. */
  @JsonAnyGetter
  Map<String, Object> members() {
    return extensions;
  }

  /** The last segment of {@link #type()}, handy for logs and tests. */
  public String typeName() {
    return type.substring(type.lastIndexOf('/') + 1);
  }

  public static Problem validation(List<FieldError> errors) {
    var detail =
        errors.size() == 1
            ? errors.get(0).field() + ": " + errors.get(0).message()
            : errors.size() + " fields are invalid";
    return of("validation", "Invalid request", 400, detail).withErrors(errors);
  }

  public static Problem badRequest(String detail) {
    return of("bad-request", "Bad request", 400, detail);
  }

  public static Problem malformedJson(String detail) {
    return of("malformed-json", "Malformed JSON", 400, detail);
  }

  public static Problem unauthorized(String detail) {
    return of("unauthorized", "Unauthorized", 401, detail);
  }

  public static Problem forbidden(String detail) {
    return of("forbidden", "Forbidden", 403, detail);
  }

  /** A credential that is valid but whose tenant an operator disabled. */
  public static Problem tenantDisabled(String tenantId) {
    return of(
        "tenant-disabled",
        "Tenant disabled",
        403,
        "tenant " + tenantId + " is disabled; its keys are refused until an operator enables it");
  }

  public static Problem notFound(String detail) {
    return of("not-found", "Not found", 404, detail);
  }

  /** A request path naming a version its API does not have; {@code versions} lists those it has. */
  public static Problem versionNotFound(String detail, List<String> versions) {
    return of("version-not-found", "Version not found", 404, detail).with("versions", versions);
  }

  public static Problem methodNotAllowed(String detail) {
    return of("method-not-allowed", "Method not allowed", 405, detail);
  }

  public static Problem conflict(String detail) {
    return of("conflict", "Conflict", 409, detail);
  }

  public static Problem preconditionFailed(String detail) {
    return of("precondition-failed", "Precondition failed", 412, detail);
  }

  public static Problem preconditionRequired(String detail) {
    return of("precondition-required", "Precondition required", 428, detail);
  }

  public static Problem payloadTooLarge(long limitBytes) {
    return of(
            "payload-too-large",
            "Payload too large",
            413,
            "the body exceeds the limit of " + limitBytes + " bytes")
        .with("limit", limitBytes);
  }

  public static Problem unsupportedMediaType(String detail) {
    return of("unsupported-media-type", "Unsupported media type", 415, detail);
  }

  public static Problem internal(String requestId) {
    return of(
        "internal",
        "Internal error",
        500,
        "the server failed to handle the request; quote request id "
            + requestId
            + " when reporting it");
  }

  /**
   * A URL a tenant or caller gave names an address the egress policy refuses (a literal, or what
   * the name resolves to). 403: the request is well formed, the destination is not permitted. The
   * detail is the same for every refusal; the reason is logged for the operator.
   *
   * @param field where the URL was given, e.g. {@code target} or {@code versions[0].artifact.url}
   */
  public static Problem egressRefused(String field) {
    return of(
            "egress-refused",
            "Destination not allowed",
            403,
            field + ": " + dev.crossgate.egress.EgressRefusedException.SAFE_DETAIL)
        .withErrors(
            List.of(
                new FieldError(field, dev.crossgate.egress.EgressRefusedException.SAFE_DETAIL)));
  }

  /** 502: the next hop (an upstream, or the agent's gateway) failed or could not be reached. */
  public static Problem badGateway(String detail) {
    return of("bad-gateway", "Bad gateway", 502, detail);
  }

  /** 504: the next hop sent nothing in time. */
  public static Problem gatewayTimeout(String detail) {
    return of("gateway-timeout", "Gateway timeout", 504, detail);
  }

  public static Problem unavailable(String detail) {
    return of("unavailable", "Service unavailable", 503, detail);
  }
}
