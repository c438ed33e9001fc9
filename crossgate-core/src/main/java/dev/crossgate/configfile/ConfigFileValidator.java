package dev.crossgate.configfile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossgate.extension.Extension;
import dev.crossgate.extension.ExtensionValidator;
import dev.crossgate.filter.FilterValidator;
import dev.crossgate.json.Json;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.route.RouteValidator;
import dev.crossgate.route.StoredSecrets;
import dev.crossgate.tenant.TenantValidator;
import dev.crossgate.upstream.UpstreamValidator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks a whole {@link ConfigFile} offline, with the Admin API's own validators (each entry's
 * errors prefixed with its path, e.g. {@code routes[3].targetUrl}), plus what only the file as a
 * whole can break: two entries with the same natural key, two routes serving the same source and
 * version for the same methods, two default versions of one source, an extension depending on one
 * the file does not name, a route sending to an upstream pool the file does not name. Rules that
 * need the server's state (a tenant or extension not in the file, conflicts with routes the file
 * does not name) are checked when the file is applied.
 */
public final class ConfigFileValidator {
  /**
   * Validates a route whose client key is {@link StoredSecrets#STORED} as if the key were given.
   */
  private static final String STAND_IN_KEY =
      "-----BEGIN PRIVATE KEY-----\n(stored)\n-----END PRIVATE KEY-----";

  private ConfigFileValidator() {}

  /** Every error of {@code file}; empty when it may be applied. */
  public static List<FieldError> errors(ConfigFile file) {
    var errors = new ArrayList<FieldError>();
    routes(file, errors);
    filters(file, errors);
    tenants(file, errors);
    extensions(file, errors);
    upstreams(file, errors);
    return errors;
  }

  /**
   * @throws ProblemException a 400 validation problem naming every error
   */
  public static void validate(ConfigFile file) {
    var errors = errors(file);
    if (!errors.isEmpty()) {
      throw new ProblemException(dev.crossgate.problem.Problem.validation(errors));
    }
  }

  /**
   * {@code spec} validated as a route, a stored client key ({@link StoredSecrets#STORED}) standing
   * for whatever key the server holds; the errors of the validator come back prefixed with {@code
   * path}.
   */
  public static Route route(RouteSpec spec, String path, List<FieldError> errors) {
    var tls = spec.tls();
    var standIn = tls != null && StoredSecrets.STORED.equals(tls.clientKeyPem());
    if (standIn) {
      ObjectNode tree = Json.mapper().valueToTree(spec);
      ((ObjectNode) tree.get("tls")).put("clientKeyPem", STAND_IN_KEY);
      spec = Json.mapper().convertValue(tree, RouteSpec.class);
    }
    try {
      return RouteValidator.validate("file", spec, null, Instant.EPOCH, Instant.EPOCH);
    } catch (ProblemException e) {
      prefixed(e, path, errors);
      return null;
    }
  }

  /** Adds the field errors of {@code e} (or its detail) under {@code path}. */
  public static void prefixed(ProblemException e, String path, List<FieldError> errors) {
    if (e.problem().errors().isEmpty()) {
      errors.add(new FieldError(path, e.problem().detail()));
    }
    for (var error : e.problem().errors()) {
      errors.add(new FieldError(path + "." + error.field(), error.message()));
    }
  }

  private static void routes(ConfigFile file, List<FieldError> errors) {
    var specs = file.routes();
    var pools = new HashSet<String>();
    file.upstreams().forEach(u -> pools.add(u == null ? null : u.id()));
    var bySource = new LinkedHashMap<String, List<Integer>>();
    var valid = new HashMap<Integer, Route>();
    for (int i = 0; i < specs.size(); i++) {
      var spec = specs.get(i);
      if (spec == null) {
        continue;
      }
      var route = route(spec, ConfigSection.ROUTES.at(i), errors);
      if (route != null && route.upstream() != null && !pools.contains(route.upstream())) {
        // a file is the whole configuration: it names the pools its routes send to
        errors.add(
            new FieldError(
                ConfigSection.ROUTES.at(i) + ".upstream",
                "there is no upstream '"
                    + route.upstream()
                    + "' in the file's "
                    + ConfigSection.UPSTREAMS.field()));
      }
      if (route != null) {
        valid.put(i, route);
        bySource
            .computeIfAbsent(route.hostKey() + route.sourcePath(), k -> new ArrayList<>())
            .add(i);
      }
    }
    for (var indexes : bySource.values()) {
      for (int a = 0; a < indexes.size(); a++) {
        for (int b = a + 1; b < indexes.size(); b++) {
          var first = valid.get(indexes.get(a));
          var second = valid.get(indexes.get(b));
          var at = ConfigSection.ROUTES.at(indexes.get(b));
          var other = ConfigSection.ROUTES.at(indexes.get(a));
          if (first.defaultVersion() && second.defaultVersion()) {
            errors.add(
                new FieldError(
                    at + ".defaultVersion",
                    other + " is already the default version of " + source(first)));
          }
          if (Objects.equals(first.version(), second.version())
              && first.pathMatch() == second.pathMatch()
              && methodsOverlap(first, second)) {
            errors.add(
                new FieldError(
                    at,
                    "serves "
                        + source(first)
                        + (first.version() == null ? "" : " version " + first.version())
                        + " for the same methods as "
                        + other));
          }
        }
      }
    }
  }

  private static void filters(ConfigFile file, List<FieldError> errors) {
    var names = new HashMap<String, Integer>();
    for (int i = 0; i < file.filters().size(); i++) {
      var spec = file.filters().get(i);
      if (spec == null) {
        continue;
      }
      var at = ConfigSection.FILTERS.at(i);
      if (spec.name() == null || spec.name().isBlank()) {
        errors.add(new FieldError(at + ".name", "is required: a file names each filter rule"));
      } else {
        unique(names, spec.name(), i, ConfigSection.FILTERS, ".name", errors);
      }
      try {
        FilterValidator.validate("file", spec, null, Instant.EPOCH);
      } catch (ProblemException e) {
        prefixed(e, at, errors);
      }
    }
  }

  private static void tenants(ConfigFile file, List<FieldError> errors) {
    var ids = new HashMap<String, Integer>();
    for (int i = 0; i < file.tenants().size(); i++) {
      var spec = file.tenants().get(i);
      if (spec == null) {
        continue;
      }
      var at = ConfigSection.TENANTS.at(i);
      try {
        TenantValidator.validate(spec.id(), spec);
        unique(ids, spec.id(), i, ConfigSection.TENANTS, ".id", errors);
      } catch (ProblemException e) {
        prefixed(e, at, errors);
      }
    }
  }

  private static void upstreams(ConfigFile file, List<FieldError> errors) {
    var ids = new HashMap<String, Integer>();
    for (int i = 0; i < file.upstreams().size(); i++) {
      var spec = file.upstreams().get(i);
      if (spec == null) {
        continue;
      }
      var at = ConfigSection.UPSTREAMS.at(i);
      try {
        UpstreamValidator.validate(spec.id(), spec, null, Instant.EPOCH, Instant.EPOCH);
        unique(ids, spec.id(), i, ConfigSection.UPSTREAMS, ".id", errors);
      } catch (ProblemException e) {
        prefixed(e, at, errors);
      }
    }
  }

  private static void extensions(ConfigFile file, List<FieldError> errors) {
    var keys = new HashMap<String, Integer>();
    for (int i = 0; i < file.extensions().size(); i++) {
      var entry = file.extensions().get(i);
      if (entry == null) {
        continue;
      }
      var at = ConfigSection.EXTENSIONS.at(i);
      if (entry.tenant() == null || !TenantValidator.ID.matcher(entry.tenant()).matches()) {
        errors.add(new FieldError(at + ".tenant", "is required: the id of the extension's tenant"));
        continue;
      }
      if (entry.id() != null) {
        unique(
            keys,
            Extension.key(entry.tenant(), entry.id()),
            i,
            ConfigSection.EXTENSIONS,
            ".id",
            errors);
      }
      try {
        extension(file, i);
      } catch (ProblemException e) {
        prefixed(e, at, errors);
      }
    }
  }

  /**
   * Extension entry {@code index} validated against a registry of the file's other extensions of
   * its tenant: a file names the extensions its extensions depend on.
   *
   * @throws ProblemException a validation problem with fields relative to the entry
   */
  public static Extension extension(ConfigFile file, int index) {
    var entry = file.extensions().get(index);
    var registered = new HashMap<String, Extension>();
    for (var other : file.extensions()) {
      if (other != null
          && other != entry
          && entry.tenant().equals(other.tenant())
          && other.id() != null) {
        registered.put(
            other.id(),
            new Extension(
                other.tenant(),
                other.id(),
                null,
                null,
                null,
                null,
                0,
                null,
                null,
                List.of(),
                other.spec().dependsOn(),
                null,
                null,
                null,
                0));
      }
    }
    return ExtensionValidator.validate(
        entry.tenant(), entry.id(), entry.spec(), registered, Instant.EPOCH);
  }

  /** Reports entry {@code index} when an earlier entry of {@code section} has the same key. */
  private static void unique(
      Map<String, Integer> seen,
      String key,
      int index,
      ConfigSection section,
      String field,
      List<FieldError> errors) {
    var first = seen.putIfAbsent(key, index);
    if (first != null) {
      errors.add(
          new FieldError(
              section.at(index) + field, "'" + key + "' names " + section.at(first) + " already"));
    }
  }

  private static String source(Route r) {
    return (r.sourceHost() == null ? "" : r.sourceHost()) + r.sourcePath();
  }

  private static boolean methodsOverlap(Route a, Route b) {
    return a.methods().isEmpty()
        || b.methods().isEmpty()
        || a.methods().stream().anyMatch(b.methods()::contains);
  }
}
