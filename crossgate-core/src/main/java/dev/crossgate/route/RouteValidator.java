package dev.crossgate.route;

import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.ratelimit.RateLimitValidator;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a {@link RouteSpec} into a {@link Route}, or fails with every invalid field named at once
 * (a 400 {@code validation} problem). Uniqueness across routes is the store's job: it needs the
 * other routes and a transaction.
 */
public final class RouteValidator {
  /** RFC 9110 section 9 methods, plus PATCH (RFC 5789) which every gateway operator expects. */
  public static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  public static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");
  private static final Pattern HOST_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  public static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,63}");
  public static final Pattern FLOW_STEP =
      Pattern.compile(
          "proxy|ext:(?:([A-Za-z0-9][A-Za-z0-9._-]{0,63})/)?([A-Za-z0-9][A-Za-z0-9._-]{0,127})");

  /**
   * An extension step of a flow: {@code ext:<tenant>/<id>} names the tenant; {@code ext:<id>} means
   * the calling tenant's extension, so it is only valid on routes whose callers carry a key.
   *
   * @param tenant the tenant named by the step, or null for the caller's
   */
  public record ExtensionRef(String tenant, String id) {}

  /** The extension a flow step names, or null for {@code proxy} and steps that are not valid. */
  public static ExtensionRef extensionRef(String step) {
    if (step == null) {
      return null;
    }
    var m = FLOW_STEP.matcher(step);
    return m.matches() && m.group(2) != null ? new ExtensionRef(m.group(1), m.group(2)) : null;
  }

  public static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  public static final Set<String> PARAM_TYPES = Set.of("string", "integer", "number", "boolean");
  public static final long MAX_TIMEOUT_MS = 3_600_000;

  private RouteValidator() {}

  /**
   * Validates {@code spec} for the route with {@code id}.
   *
   * @throws ProblemException a 400 validation problem listing every invalid field
   */
  public static Route validate(
      String id, RouteSpec spec, String actor, Instant createdAt, Instant now) {
    var errors = new ArrayList<FieldError>();
    var route = build(id, spec, actor, createdAt, now, errors);
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
    return route;
  }

  /** Every invalid field of {@code spec}, without building a route (for a body read in part). */
  public static List<FieldError> check(RouteSpec spec) {
    var errors = new ArrayList<FieldError>();
    build(spec.id() == null ? "rt_check" : spec.id(), spec, null, null, null, errors);
    return errors;
  }

  /** The route, or null with {@code errors} naming each invalid field. */
  private static Route build(
      String id,
      RouteSpec spec,
      String actor,
      Instant createdAt,
      Instant now,
      List<FieldError> errors) {
    if (spec.id() != null && !spec.id().equals(id)) {
      errors.add(new FieldError("id", "does not match the route addressed (" + id + ")"));
    }
    var service = required(errors, "service", spec.service());
    if (service != null && !SERVICE.matcher(service).matches()) {
      errors.add(
          new FieldError(
              "service",
              "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit"));
    }
    maxLength(errors, "summary", spec.summary(), 200);
    maxLength(errors, "remarks", spec.remarks(), 2000);
    var sourceHost = sourceHost(errors, spec.sourceHost());
    var sourcePath = sourcePath(errors, spec.sourcePath());
    var pathMatch =
        enumValue(
            errors, "pathMatch", spec.pathMatch(), Route.PathMatch.class, Route.PathMatch.PREFIX);
    var version = blankToNull(spec.version());
    if (version != null && !VERSION.matcher(version).matches()) {
      errors.add(
          new FieldError(
              "version",
              "must be 1-32 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. v1, 2.1)"));
    }
    boolean defaultVersion = Boolean.TRUE.equals(spec.defaultVersion());
    if (defaultVersion && version == null) {
      errors.add(
          new FieldError(
              "defaultVersion", "only a route with a version can be the default version"));
    }
    var methods = methods(errors, spec.methods());
    var upstream = blankToNull(spec.upstream());
    String targetUrl = null;
    String targetPath = null;
    if (upstream == null) {
      targetUrl = targetUrl(errors, spec.targetUrl());
      if (blankToNull(spec.targetPath()) != null) {
        errors.add(new FieldError("targetPath", "applies to routes with an upstream only"));
      }
    } else {
      if (blankToNull(spec.targetUrl()) != null) {
        errors.add(new FieldError("targetUrl", "name either a targetUrl or an upstream, not both"));
      }
      if (!dev.crossgate.upstream.UpstreamValidator.ID.matcher(upstream).matches()) {
        errors.add(new FieldError("upstream", "must be the id of an upstream (/admin/upstreams)"));
      }
      targetPath = targetPath(errors, spec.targetPath());
      if (spec.tls() != null) {
        errors.add(new FieldError("tls", "applies to routes with a targetUrl only"));
      }
    }
    var mode = enumValue(errors, "mode", spec.mode(), Route.Mode.class, Route.Mode.SYNC);
    var asyncExecution =
        enumValue(
            errors,
            "asyncExecution",
            spec.asyncExecution(),
            Route.AsyncExecution.class,
            Route.AsyncExecution.CALLBACK);
    var params = params(errors, spec.params());
    var flow = flow(errors, spec.flow());
    var auth = enumValue(errors, "auth", spec.auth(), Route.Auth.class, Route.Auth.NONE);
    if (!auth.identifiesTenant()) {
      for (int i = 0; i < flow.size(); i++) {
        var ref = extensionRef(flow.get(i));
        if (ref != null && ref.tenant() == null) {
          errors.add(
              new FieldError(
                  "flow[" + i + "]",
                  "a route without auth has no calling tenant:"
                      + " name the extension's tenant as ext:<tenant>/"
                      + ref.id()));
        }
      }
    }
    var timeouts = timeouts(errors, spec.timeouts());
    if (spec.maxBodyBytes() != null && spec.maxBodyBytes() < 0) {
      errors.add(new FieldError("maxBodyBytes", "must be zero or more bytes"));
    }
    var tls = UpstreamTlsCheck.validate(errors, spec.tls(), targetUrl);
    var split = split(errors, spec.split(), defaultVersion);
    var cors = spec.cors();
    if (cors != null) {
      errors.addAll(corsErrors(cors));
    }
    var stickyKey = blankToNull(spec.stickyKey());
    if (stickyKey != null && !STICKY_KEY.matcher(stickyKey).matches()) {
      errors.add(new FieldError("stickyKey", "must be header:<name> or cookie:<name>"));
    } else if (stickyKey != null && split == null) {
      errors.add(new FieldError("stickyKey", "applies to a route with a split only"));
    }
    var rateLimits = RateLimitValidator.validate(spec.rateLimits(), "rateLimits", errors);
    if (!errors.isEmpty()) {
      return null;
    }
    return new Route(
        id,
        service,
        blankToNull(spec.summary()),
        blankToNull(spec.remarks()),
        actor,
        createdAt,
        now,
        sourceHost,
        sourcePath,
        pathMatch,
        version,
        defaultVersion,
        methods,
        targetUrl,
        mode,
        asyncExecution,
        params,
        flow,
        auth,
        timeouts,
        spec.maxBodyBytes(),
        Boolean.TRUE.equals(spec.websocket()),
        !Boolean.FALSE.equals(spec.enabled()),
        0,
        tls,
        spec.forwardClientCertSubject(),
        spec.versionInPath(),
        upstream,
        targetPath,
        split,
        stickyKey,
        spec.forwardToken(),
        rateLimits,
        cors);
  }

  private static final Pattern ORIGIN =
      Pattern.compile("https?://[A-Za-z0-9.\\-\\[\\]:]+(:\\d{1,5})?");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /**
   * What is wrong with a CORS policy as the Fetch standard reads it (exact origins, tokens, no
   * credentials with "*"); empty when nothing is.
   */
  public static List<FieldError> corsErrors(Route.Cors cors) {
    var errors = new ArrayList<FieldError>();
    if (cors.allowOrigins().isEmpty()) {
      errors.add(new FieldError("cors.allowOrigins", "name at least one origin, or \"*\""));
    }
    for (var origin : cors.allowOrigins()) {
      if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
        errors.add(
            new FieldError(
                "cors.allowOrigins",
                "'" + origin + "' is not an origin (scheme://host[:port], no path) or \"*\""));
      }
    }
    if (cors.credentials() && cors.allowOrigins().contains("*")) {
      errors.add(
          new FieldError(
              "cors.allowCredentials",
              "credentials cannot be allowed for \"*\": browsers refuse it; name the origins"));
    }
    for (var method : cors.allowMethods()) {
      if (!TOKEN.matcher(method).matches()) {
        errors.add(new FieldError("cors.allowMethods", "'" + method + "' is not a method"));
      }
    }
    for (var header : cors.allowHeaders()) {
      if (!header.equals("*") && !TOKEN.matcher(header).matches()) {
        errors.add(new FieldError("cors.allowHeaders", "'" + header + "' is not a header name"));
      }
    }
    for (var header : cors.exposeHeaders()) {
      if (!header.equals("*") && !TOKEN.matcher(header).matches()) {
        errors.add(new FieldError("cors.exposeHeaders", "'" + header + "' is not a header name"));
      }
    }
    var maxAge = cors.maxAgeSeconds();
    if (maxAge != null && (maxAge < 0 || maxAge > 86_400)) {
      errors.add(new FieldError("cors.maxAgeSeconds", "must be between 0 and 86400"));
    }
    return errors;
  }

  private static final Pattern STICKY_KEY =
      Pattern.compile("(header|cookie):[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}");

  /** A canary split: on the default version only, versions named once, positive weights. */
  private static List<Route.Split> split(
      List<FieldError> errors, List<Route.Split> raw, boolean defaultVersion) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    if (!defaultVersion) {
      errors.add(new FieldError("split", "only the default version splits its traffic"));
    }
    var seen = new HashSet<String>();
    for (int i = 0; i < raw.size(); i++) {
      var s = raw.get(i);
      if (s == null || s.version() == null || !VERSION.matcher(s.version()).matches()) {
        errors.add(new FieldError("split[" + i + "].version", "must name a version such as v2"));
      } else if (!seen.add(s.version())) {
        errors.add(new FieldError("split[" + i + "].version", "is listed twice"));
      }
      if (s != null && (s.weight() < 0 || s.weight() > 10_000)) {
        errors.add(new FieldError("split[" + i + "].weight", "must be between 0 and 10000"));
      }
    }
    if (raw.stream().filter(java.util.Objects::nonNull).mapToInt(Route.Split::weight).sum() <= 0) {
      errors.add(new FieldError("split", "needs a positive weight"));
    }
    return raw;
  }

  /** The path prefix sent to every target of an upstream: a path, no trailing '/', or null. */
  private static String targetPath(List<FieldError> errors, String raw) {
    var path = blankToNull(raw);
    if (path == null || path.equals("/")) {
      return null;
    }
    if (!path.startsWith("/")
        || path.length() > 1024
        || path.chars().anyMatch(c -> c < 0x21 || c == 0x7f)
        || path.contains("?")
        || path.contains("#")
        || path.contains("\\")
        || hasDotSegment(path)) {
      errors.add(
          new FieldError(
              "targetPath", "must be a path such as /api (no query, no '.' or '..' segments)"));
      return null;
    }
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static String required(List<FieldError> errors, String field, String value) {
    var v = blankToNull(value);
    if (v == null) {
      errors.add(new FieldError(field, "is required"));
    }
    return v;
  }

  private static void maxLength(List<FieldError> errors, String field, String value, int max) {
    if (value != null && value.length() > max) {
      errors.add(new FieldError(field, "must be at most " + max + " characters"));
    }
  }

  private static String sourceHost(List<FieldError> errors, String raw) {
    var host = blankToNull(raw);
    if (host == null) {
      return null;
    }
    host = host.toLowerCase(Locale.ROOT);
    var labels = host.startsWith("*.") ? host.substring(2) : host;
    boolean ok = labels.length() <= 253 && !labels.isEmpty();
    for (var label : labels.split("\\.", -1)) {
      ok &= HOST_LABEL.matcher(label).matches();
    }
    if (!ok) {
      errors.add(
          new FieldError(
              "sourceHost",
              "must be a host name such as api.example.com or a wildcard such as *.example.com (no port, no scheme)"));
      return null;
    }
    return host;
  }

  private static String sourcePath(List<FieldError> errors, String raw) {
    var path = required(errors, "sourcePath", raw);
    if (path == null) {
      return null;
    }
    String problem = null;
    if (!path.startsWith("/")) {
      problem = "must start with '/'";
    } else if (path.length() > 1024) {
      problem = "must be at most 1024 characters";
    } else if (path.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      problem = "must not contain spaces or control characters";
    } else if (path.contains("//")) {
      problem = "must not contain an empty segment ('//')";
    } else if (hasDotSegment(path)) {
      problem = "must not contain '.' or '..' segments";
    } else if (path.toLowerCase(Locale.ROOT).matches(".*%(2f|5c|2e|00).*")) {
      problem = "must not contain encoded slashes, backslashes, dots or NUL (%2F, %5C, %2E, %00)";
    } else if (path.contains("?") || path.contains("#") || path.contains("\\")) {
      problem = "must be a path only: no '?', '#' or '\\'";
    }
    if (problem != null) {
      errors.add(new FieldError("sourcePath", problem));
      return null;
    }
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static boolean hasDotSegment(String path) {
    for (var segment : path.split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        return true;
      }
    }
    return false;
  }

  private static List<String> methods(List<FieldError> errors, List<String> raw) {
    if (raw == null) {
      return List.of();
    }
    var seen = new HashSet<String>();
    for (int i = 0; i < raw.size(); i++) {
      var m = raw.get(i);
      if (m == null || !METHODS.contains(m)) {
        errors.add(
            new FieldError(
                "methods[" + i + "]",
                "'"
                    + m
                    + "' is not an HTTP method; use one of "
                    + String.join(", ", sorted(METHODS))));
      } else if (!seen.add(m)) {
        errors.add(new FieldError("methods[" + i + "]", "'" + m + "' is listed twice"));
      }
    }
    return List.copyOf(seen.stream().sorted().toList());
  }

  private static String targetUrl(List<FieldError> errors, String raw) {
    var url = blankToNull(raw);
    if (url == null) {
      errors.add(new FieldError("targetUrl", "is required: name a targetUrl or an upstream"));
      return null;
    }
    var problem = targetUrlProblem(url);
    if (problem != null) {
      errors.add(new FieldError("targetUrl", problem));
      return null;
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /**
   * What is wrong with {@code url} as a target (a route's or an upstream target's), or null: an
   * absolute http(s) URL with a host, without credentials, query or fragment.
   */
  public static String targetUrlProblem(String url) {
    try {
      var uri = new URI(url);
      if (!uri.isAbsolute()) {
        return "must be an absolute URL such as http://backend:8080/api";
      } else if (!"http".equalsIgnoreCase(uri.getScheme())
          && !"https".equalsIgnoreCase(uri.getScheme())) {
        return "scheme '" + uri.getScheme() + "' is not supported; use http or https";
      } else if (uri.getHost() == null) {
        return "must name a host";
      } else if (uri.getRawUserInfo() != null) {
        return "must not carry credentials (user:password@); use a flow step to add upstream auth";
      } else if (uri.getRawFragment() != null) {
        return "must not have a fragment ('#')";
      } else if (uri.getRawQuery() != null) {
        return "must not have a query; the caller's query string is passed on";
      }
      return null;
    } catch (URISyntaxException e) {
      return "is not a valid URL: " + e.getReason() + " at index " + e.getIndex();
    }
  }

  private static List<Route.Param> params(List<FieldError> errors, List<Route.Param> raw) {
    if (raw == null) {
      return List.of();
    }
    var names = new HashSet<String>();
    for (int i = 0; i < raw.size(); i++) {
      var p = raw.get(i);
      var at = "params[" + i + "]";
      if (p == null) {
        errors.add(new FieldError(at, "must be an object {name, type, required}"));
        continue;
      }
      if (p.name() == null || !PARAM_NAME.matcher(p.name()).matches()) {
        errors.add(new FieldError(at + ".name", "must be 1-64 letters, digits, '_', '.' or '-'"));
      } else if (!names.add(p.name())) {
        errors.add(new FieldError(at + ".name", "'" + p.name() + "' is declared twice"));
      }
      if (p.type() == null || !PARAM_TYPES.contains(p.type())) {
        errors.add(
            new FieldError(
                at + ".type", "must be one of " + String.join(", ", sorted(PARAM_TYPES))));
      }
    }
    return raw;
  }

  private static List<String> flow(List<FieldError> errors, List<String> raw) {
    if (raw == null) {
      return List.of();
    }
    int proxies = 0;
    for (int i = 0; i < raw.size(); i++) {
      var step = raw.get(i);
      if (step == null || !FLOW_STEP.matcher(step).matches()) {
        errors.add(
            new FieldError(
                "flow[" + i + "]",
                "must be 'proxy', 'ext:<tenant>/<extension id>' or 'ext:<extension id>'"));
      } else if (step.equals("proxy")) {
        proxies++;
      }
    }
    if (proxies > 1) {
      errors.add(new FieldError("flow", "'proxy' may appear only once"));
    }
    return raw;
  }

  private static Route.Timeouts timeouts(List<FieldError> errors, Route.Timeouts raw) {
    if (raw == null) {
      return Route.Timeouts.DEFAULT;
    }
    checkTimeout(errors, "timeouts.connectMs", raw.connectMs());
    checkTimeout(errors, "timeouts.responseMs", raw.responseMs());
    checkTimeout(errors, "timeouts.idleMs", raw.idleMs());
    return raw;
  }

  private static void checkTimeout(List<FieldError> errors, String field, long value) {
    if (value < 1 || value > MAX_TIMEOUT_MS) {
      errors.add(
          new FieldError(field, "must be between 1 and " + MAX_TIMEOUT_MS + " milliseconds"));
    }
  }

  private static <E extends Enum<E>> E enumValue(
      List<FieldError> errors, String field, String raw, Class<E> type, E fallback) {
    var v = blankToNull(raw);
    if (v == null) {
      return fallback;
    }
    try {
      return Enum.valueOf(type, v);
    } catch (IllegalArgumentException e) {
      var allowed = java.util.Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
      errors.add(new FieldError(field, "'" + v + "' is not one of " + String.join(", ", allowed)));
      return fallback;
    }
  }

  private static List<String> sorted(Set<String> values) {
    return values.stream().sorted().toList();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
