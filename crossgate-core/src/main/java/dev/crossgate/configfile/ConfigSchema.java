package dev.crossgate.configfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossgate.extension.Extension;
import dev.crossgate.extension.ExtensionPoints;
import dev.crossgate.extension.ExtensionSpec;
import dev.crossgate.extension.ExtensionValidator;
import dev.crossgate.filter.FilterRule;
import dev.crossgate.filter.FilterSpec;
import dev.crossgate.json.Json;
import dev.crossgate.ratelimit.RateLimit;
import dev.crossgate.ratelimit.RateLimitValidator;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.route.RouteValidator;
import dev.crossgate.tenant.TenantSpec;
import dev.crossgate.tenant.TenantValidator;
import dev.crossgate.upstream.Upstream;
import dev.crossgate.upstream.UpstreamSpec;
import dev.crossgate.upstream.UpstreamValidator;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The JSON Schema (draft 2020-12) of a configuration file, for editors and CI linters, generated
 * from what the Admin API itself uses: the fields are the components of the spec records the API
 * reads (so a field added to a spec appears here), and patterns, enumerations and bounds are the
 * validators' own constants. {@code docs/crossgate-config.schema.json} is this document; a test
 * keeps the two equal. Rules a schema cannot express (URL schemes, cross-entry conflicts,
 * dependencies) are checked by {@code crossgate config validate}.
 */
public final class ConfigSchema {
  private ConfigSchema() {}

  public static ObjectNode document() {
    var schema = object();
    schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    schema.put("$id", "https://crossgate.dev/schemas/crossgate-config.schema.json");
    schema.put("title", "Crossgate configuration file (" + ConfigFile.API_VERSION + ")");
    schema.put(
        "description",
        "Generated from the Admin API's specs and validators (ConfigSchema); check a file with"
            + " 'crossgate config validate -f FILE'.");
    schema.put("type", "object");
    schema.putArray("required").add("apiVersion");
    schema.put("additionalProperties", false);
    var properties = schema.putObject("properties");
    properties.putObject("apiVersion").put("const", ConfigFile.API_VERSION);
    var defs = object();
    for (var section : ConfigSection.values()) {
      var def = definition(section);
      defs.set(section.field(), def);
      properties
          .putObject(section.field())
          .put("type", "array")
          .putObject("items")
          .put("$ref", "#/$defs/" + section.field());
    }
    schema.set("$defs", defs);
    return schema;
  }

  private static ObjectNode definition(ConfigSection section) {
    return switch (section) {
      case ROUTES -> route();
      case FILTERS -> filter();
      case TENANTS -> tenant();
      case EXTENSIONS -> extension();
      case UPSTREAMS -> upstream();
    };
  }

  private static ObjectNode route() {
    var def = record(RouteSpec.class, ConfigFileReader.SERVER_FIELDS);
    required(def, "service", "sourcePath", "targetUrl");
    var p = (ObjectNode) def.get("properties");
    pattern(p, "service", RouteValidator.SERVICE);
    at(p, "summary").put("maxLength", 200);
    at(p, "remarks").put("maxLength", 2000);
    at(p, "sourcePath").put("pattern", "^/").put("maxLength", 1024);
    at(p, "sourceHost").put("maxLength", 255);
    pattern(p, "version", RouteValidator.VERSION);
    enumeration(p, "pathMatch", Route.PathMatch.values());
    enumeration(p, "mode", Route.Mode.values());
    enumeration(p, "asyncExecution", Route.AsyncExecution.values());
    enumeration(p, "auth", Route.Auth.values());
    items(p, "methods").set("enum", strings(RouteValidator.METHODS));
    at(p, "methods").put("uniqueItems", true);
    at(p, "targetUrl").put("pattern", "^[Hh][Tt][Tt][Pp][Ss]?://");
    pattern(items(p, "flow"), RouteValidator.FLOW_STEP);
    var param = (ObjectNode) items(p, "params").get("properties");
    pattern(param, "name", RouteValidator.PARAM_NAME);
    at(param, "type").set("enum", strings(RouteValidator.PARAM_TYPES));
    required(items(p, "params"), "name", "type");
    var timeouts = (ObjectNode) at(p, "timeouts").get("properties");
    for (var field : List.of("connectMs", "responseMs", "idleMs")) {
      at(timeouts, field).put("minimum", 1).put("maximum", RouteValidator.MAX_TIMEOUT_MS);
    }
    at(p, "maxBodyBytes").put("minimum", 0);
    rateLimits(p);
    return def;
  }

  /** A {@code rateLimits} list as {@link RateLimitValidator} checks it. */
  private static void rateLimits(ObjectNode properties) {
    at(properties, "rateLimits").put("maxItems", RateLimitValidator.MAX_POLICIES);
    var policy = (ObjectNode) items(properties, "rateLimits").get("properties");
    enumeration(policy, "scope", RateLimit.Scope.values());
    at(policy, "window")
        .set(
            "enum",
            strings(Arrays.stream(RateLimit.Window.values()).map(RateLimit.Window::text).toList()));
    for (var field : List.of("limit", "burst")) {
      at(policy, field).put("minimum", 1).put("maximum", RateLimitValidator.MAX_LIMIT);
    }
    required(items(properties, "rateLimits"), "scope", "limit", "window");
  }

  private static ObjectNode filter() {
    var def = record(FilterSpec.class, Set.of());
    required(def, "name", "kind", "value");
    var p = (ObjectNode) def.get("properties");
    at(p, "name").put("maxLength", 128);
    enumeration(p, "kind", FilterRule.Kind.values());
    enumeration(p, "scope", FilterRule.Scope.values());
    at(p, "status").put("minimum", 400).put("maximum", 599);
    at(p, "message").put("maxLength", 500);
    return def;
  }

  private static ObjectNode tenant() {
    var def = record(TenantSpec.class, Set.of());
    required(def, "id", "name");
    var p = (ObjectNode) def.get("properties");
    pattern(p, "id", TenantValidator.ID);
    at(p, "name").put("minLength", 1).put("maxLength", TenantValidator.MAX_NAME_LENGTH);
    rateLimits(p);
    return def;
  }

  private static ObjectNode upstream() {
    var server = new java.util.HashSet<>(ConfigFileReader.SERVER_FIELDS);
    server.remove("id");
    var def = record(UpstreamSpec.class, server);
    required(def, "id", "targets");
    var p = (ObjectNode) def.get("properties");
    pattern(p, "id", UpstreamValidator.ID);
    at(p, "targets").put("minItems", 1).put("maxItems", UpstreamValidator.MAX_TARGETS);
    var target = items(p, "targets");
    required(target, "url");
    var tp = (ObjectNode) target.get("properties");
    at(tp, "url").put("pattern", "^([Hh][Tt][Tt][Pp][Ss]?|[Dd][Nn][Ss]\\+[Ss][Rr][Vv])://");
    at(tp, "weight").put("minimum", 1).put("maximum", UpstreamValidator.MAX_WEIGHT);
    enumeration(p, "algorithm", Upstream.Algorithm.values());
    var check = (ObjectNode) at(p, "healthCheck").get("properties");
    at(check, "path").put("pattern", "^/");
    at(check, "expectStatus").put("minItems", 2).put("maxItems", 2);
    var passive = (ObjectNode) at(p, "passive").get("properties");
    at(passive, "maxEjectedPercent").put("minimum", 0).put("maximum", 100);
    var retries = (ObjectNode) at(p, "retries").get("properties");
    at(retries, "attempts").put("minimum", 0).put("maximum", 10);
    at(retries, "budgetPercent").put("minimum", 0).put("maximum", 100);
    return def;
  }

  private static ObjectNode extension() {
    var def = record(ExtensionSpec.class, Set.of());
    var p = (ObjectNode) def.get("properties");
    var withKey = object();
    withKey.putObject("tenant").put("type", "string").put("pattern", anchored(TenantValidator.ID));
    withKey.putObject("id").put("type", "string").put("pattern", anchored(ExtensionValidator.ID));
    withKey.setAll(p);
    def.set("properties", withKey);
    required(def, "tenant", "id", "point", "versions");
    at(withKey, "point").set("enum", strings(ExtensionPoints.ALLOWED));
    enumeration(withKey, "protocol", Extension.Protocol.values());
    enumeration(withKey, "connection", Extension.Connection.values());
    enumeration(withKey, "failurePolicy", Extension.FailurePolicy.values());
    at(withKey, "timeoutMs").put("minimum", 1).put("maximum", ExtensionValidator.MAX_TIMEOUT_MS);
    at(withKey, "versions").put("minItems", 1).put("maxItems", ExtensionValidator.MAX_VERSIONS);
    var version = items(withKey, "versions");
    required(version, "version", "weight");
    var vp = (ObjectNode) version.get("properties");
    pattern(vp, "version", ExtensionValidator.VERSION);
    at(vp, "weight").put("minimum", 0).put("maximum", ExtensionValidator.MAX_WEIGHT);
    pattern((ObjectNode) at(vp, "artifact").get("properties"), "sha256", ExtensionValidator.SHA256);
    // no url: a module uploaded to the platform (PUT …/versions/{v}/module)
    required((ObjectNode) vp.get("artifact"), "sha256");
    return def;
  }

  /** An object schema with one property per record component, typed from the Java type. */
  private static ObjectNode record(Class<? extends Record> type, Set<String> left) {
    var def = object().put("type", "object").put("additionalProperties", false);
    var properties = def.putObject("properties");
    for (var component : type.getRecordComponents()) {
      if (!left.contains(component.getName())) {
        properties.set(component.getName(), typeOf(component.getGenericType()));
      }
    }
    return def;
  }

  @SuppressWarnings("unchecked")
  private static ObjectNode typeOf(Type type) {
    if (type instanceof ParameterizedType parameterized) {
      var raw = (Class<?>) parameterized.getRawType();
      if (Collection.class.isAssignableFrom(raw)) {
        var array = object().put("type", "array");
        array.set("items", typeOf(parameterized.getActualTypeArguments()[0]));
        return array;
      }
      if (Map.class.isAssignableFrom(raw)) {
        var map = object().put("type", "object");
        map.set("additionalProperties", typeOf(parameterized.getActualTypeArguments()[1]));
        return map;
      }
    }
    var c = (Class<?>) type;
    if (c == String.class || c.isEnum()) {
      return object().put("type", "string");
    }
    if (c == Boolean.class || c == boolean.class) {
      return object().put("type", "boolean");
    }
    if (c == Long.class || c == long.class || c == Integer.class || c == int.class) {
      return object().put("type", "integer");
    }
    if (c.isRecord()) {
      return record((Class<? extends Record>) c, Set.of());
    }
    return object(); // JsonNode: any JSON value
  }

  /** The schema of {@code field} among {@code properties} (every spec field has one). */
  private static ObjectNode at(ObjectNode properties, String field) {
    return (ObjectNode) properties.get(field);
  }

  private static ObjectNode items(ObjectNode properties, String field) {
    return (ObjectNode) properties.get(field).get("items");
  }

  private static void pattern(ObjectNode properties, String field, Pattern pattern) {
    at(properties, field).put("pattern", anchored(pattern));
  }

  private static void pattern(ObjectNode schema, Pattern pattern) {
    schema.put("pattern", anchored(pattern));
  }

  /** The validators match whole values; a schema pattern matches anywhere unless anchored. */
  private static String anchored(Pattern pattern) {
    return "^(?:" + pattern.pattern() + ")$";
  }

  private static void enumeration(ObjectNode properties, String field, Enum<?>[] values) {
    at(properties, field).set("enum", strings(Arrays.stream(values).map(Enum::name).toList()));
  }

  private static JsonNode strings(Collection<String> values) {
    ArrayNode array = Json.mapper().createArrayNode();
    new TreeSet<>(values).forEach(array::add);
    return array;
  }

  private static void required(ObjectNode def, String... fields) {
    var array = def.putArray("required");
    for (var field : fields) {
      array.add(field);
    }
  }

  private static ObjectNode object() {
    return Json.mapper().createObjectNode();
  }
}
