package dev.crossgate.extension;

import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks an {@link ExtensionSpec} against the rules of the registry and reports every broken rule
 * as a field error. Artifacts are only checked for form here; their content (digest, size) is
 * checked by whoever fetches them ({@link ArtifactCheck}).
 */
public final class ExtensionValidator {
  /** The same id syntax a route's {@code ext:<id>} flow step accepts. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  public static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");
  public static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  public static final long MAX_TIMEOUT_MS = 60_000;
  public static final int MAX_WEIGHT = 1_000;
  public static final int MAX_VERSIONS = 16;

  private ExtensionValidator() {}

  /**
   * Validates {@code spec} as extension {@code id} of {@code tenant}.
   *
   * @param registered the tenant's other registered extensions by id (this one's old entry is
   *     ignored)
   * @throws ProblemException a 400 validation problem listing every field error
   */
  public static Extension validate(
      String tenant,
      String id,
      ExtensionSpec spec,
      Map<String, Extension> registered,
      Instant now) {
    var errors = new ArrayList<FieldError>();
    if (id == null || !ID.matcher(id).matches()) {
      errors.add(
          new FieldError(
              "id",
              "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit"));
    }
    if (spec.point() == null || !ExtensionPoints.ALLOWED.contains(spec.point())) {
      errors.add(
          new FieldError(
              "point", "must be one of " + new java.util.TreeSet<>(ExtensionPoints.ALLOWED)));
    }
    var dependsOn = spec.dependsOn() == null ? List.<String>of() : spec.dependsOn();
    if (spec.endpoint() != null) {
      checkUrl("endpoint", spec.endpoint(), errors);
    } else if (!dependsOn.isEmpty()) {
      errors.add(
          new FieldError(
              "endpoint",
              "is required for an extension with dependencies: it always runs at the tenant"));
    }
    var protocol =
        parse(
            Extension.Protocol.class, "protocol", spec.protocol(), Extension.Protocol.HTTP, errors);
    if (protocol == Extension.Protocol.GRPC && spec.endpoint() != null) {
      checkGrpcBase(spec.endpoint(), errors);
    }
    var connection =
        parse(
            Extension.Connection.class,
            "connection",
            spec.connection(),
            Extension.Connection.POOLED,
            errors);
    var policy =
        parse(
            Extension.FailurePolicy.class,
            "failurePolicy",
            spec.failurePolicy(),
            Extension.FailurePolicy.FAIL_CLOSED,
            errors);
    long timeout = spec.timeoutMs() == null ? 2_000 : spec.timeoutMs();
    if (timeout < 1 || timeout > MAX_TIMEOUT_MS) {
      errors.add(new FieldError("timeoutMs", "must be 1-" + MAX_TIMEOUT_MS));
    }
    if (policy == Extension.FailurePolicy.DEFAULT_RESPONSE) {
      var d = spec.defaultResponse();
      if (d == null) {
        errors.add(
            new FieldError(
                "defaultResponse", "is required when failurePolicy is DEFAULT_RESPONSE"));
      } else if (d.status() < 100 || d.status() > 599) {
        errors.add(new FieldError("defaultResponse.status", "must be an HTTP status, 100-599"));
      }
    }
    checkVersions(spec.versions(), errors);
    checkDependencies(id, dependsOn, registered, errors);
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
    return new Extension(
        tenant,
        id,
        spec.point(),
        spec.endpoint(),
        protocol,
        connection,
        timeout,
        policy,
        spec.defaultResponse(),
        spec.versions(),
        dependsOn,
        spec.allowCallerVersion(),
        now,
        now,
        0);
  }

  private static void checkVersions(List<Extension.Version> versions, List<FieldError> errors) {
    if (versions == null || versions.isEmpty() || versions.size() > MAX_VERSIONS) {
      errors.add(new FieldError("versions", "must list 1-" + MAX_VERSIONS + " versions"));
      return;
    }
    var seen = new HashSet<String>();
    int total = 0;
    for (int i = 0; i < versions.size(); i++) {
      var v = versions.get(i);
      var field = "versions[" + i + "]";
      if (v == null) {
        errors.add(new FieldError(field, "must be an object"));
        continue;
      }
      if (v.version() == null || !VERSION.matcher(v.version()).matches()) {
        errors.add(
            new FieldError(field + ".version", "must be 1-32 letters, digits, '.', '_' or '-'"));
      } else if (!seen.add(v.version())) {
        errors.add(new FieldError(field + ".version", "duplicates version " + v.version()));
      }
      if (v.weight() < 0 || v.weight() > MAX_WEIGHT) {
        errors.add(new FieldError(field + ".weight", "must be 0-" + MAX_WEIGHT));
      } else {
        total += v.weight();
      }
      var a = v.artifact();
      if (a != null) {
        if (a.url() != null) { // no url: a module uploaded to the platform, checked by the registry
          checkUrl(field + ".artifact.url", a.url(), errors);
        }
        if (a.sha256() == null || !SHA256.matcher(a.sha256()).matches()) {
          errors.add(
              new FieldError(
                  field + ".artifact.sha256",
                  "must be the module's SHA-256 as 64 lowercase hex digits"));
        }
      }
    }
    if (total == 0 && errors.stream().noneMatch(e -> e.field().endsWith(".weight"))) {
      errors.add(new FieldError("versions", "at least one version needs a weight above 0"));
    }
  }

  /** Dependencies must be registered extensions of the same tenant, and must not lead back here. */
  private static void checkDependencies(
      String id,
      List<String> dependsOn,
      Map<String, Extension> registered,
      List<FieldError> errors) {
    var graph = new HashMap<String, List<String>>();
    registered.forEach((otherId, e) -> graph.put(otherId, e.dependsOn()));
    graph.put(id, dependsOn);
    for (int i = 0; i < dependsOn.size(); i++) {
      var dep = dependsOn.get(i);
      var field = "dependsOn[" + i + "]";
      if (dep == null || dep.equals(id)) {
        errors.add(new FieldError(field, "an extension cannot depend on itself"));
      } else if (!registered.containsKey(dep)) {
        errors.add(new FieldError(field, "no extension " + dep + " is registered for this tenant"));
      } else {
        var cycle = pathBack(graph, dep, id);
        if (cycle != null) {
          errors.add(
              new FieldError(
                  field,
                  "creates a dependency cycle: " + id + " -> " + String.join(" -> ", cycle)));
        }
      }
    }
  }

  /** The dependency path from {@code from} to {@code target}, or null when there is none. */
  private static List<String> pathBack(
      Map<String, List<String>> graph, String from, String target) {
    var previous = new HashMap<String, String>();
    Set<String> seen = new HashSet<>(List.of(from));
    var queue = new ArrayDeque<>(List.of(from));
    while (!queue.isEmpty()) {
      var node = queue.poll();
      if (node.equals(target)) {
        var path = new ArrayList<String>();
        for (var n = node; n != null; n = previous.get(n)) {
          path.add(0, n);
        }
        return path;
      }
      for (var next : graph.getOrDefault(node, List.of())) {
        if (seen.add(next)) {
          previous.put(next, node);
          queue.add(next);
        }
      }
    }
    return null;
  }

  private static void checkUrl(String field, String url, List<FieldError> errors) {
    try {
      var uri = url == null ? null : new URI(url);
      if (uri == null
          || uri.getHost() == null
          || !("http".equalsIgnoreCase(uri.getScheme())
              || "https".equalsIgnoreCase(uri.getScheme()))) {
        errors.add(new FieldError(field, "must be an absolute http(s) URL"));
      }
    } catch (URISyntaxException e) {
      errors.add(new FieldError(field, "must be an absolute http(s) URL"));
    }
  }

  /**
   * A GRPC endpoint is the server's base URL: the call's path is the method's ({@code
   * /crossgate.extension.v1.Extension/Call}), so a path or query there would be silently dropped.
   */
  private static void checkGrpcBase(String url, List<FieldError> errors) {
    try {
      var uri = new URI(url);
      boolean rootPath =
          uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
      if (!rootPath || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        errors.add(
            new FieldError(
                "endpoint",
                "with protocol GRPC must be the server's base URL (http(s)://host:port), without a"
                    + " path or query"));
      }
    } catch (URISyntaxException e) {
      // reported by checkUrl
    }
  }

  private static <E extends Enum<E>> E parse(
      Class<E> type, String field, String value, E fallback, List<FieldError> errors) {
    if (value == null) {
      return fallback;
    }
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      errors.add(
          new FieldError(
              field, "must be one of " + java.util.Arrays.toString(type.getEnumConstants())));
      return fallback;
    }
  }
}
