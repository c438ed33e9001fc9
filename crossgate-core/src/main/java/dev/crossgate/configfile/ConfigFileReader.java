package dev.crossgate.configfile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.crossgate.extension.ExtensionSpec;
import dev.crossgate.filter.FilterSpec;
import dev.crossgate.json.Json;
import dev.crossgate.json.JsonProblems;
import dev.crossgate.problem.FieldError;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.tenant.TenantSpec;
import dev.crossgate.upstream.UpstreamSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Reads a configuration file, YAML or JSON (a file whose first character is '{' is JSON), into a
 * {@link ConfigFile}: every problem of form (syntax, unknown sections and fields, wrong types,
 * server-set fields, secret references) is collected with its path, and {@link SourceLines} say on
 * which line each path starts. Field rules are the validators' ({@link ConfigFileValidator}).
 * Entries go through the Admin API's own mapper ({@link Json}), so a file accepts exactly the
 * fields the API accepts.
 */
public final class ConfigFileReader {
  /** Fields a route read from the Admin API carries but a file must not: the server sets them. */
  static final Set<String> SERVER_FIELDS =
      Set.of("id", "createdBy", "createdAt", "updatedAt", "revision");

  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final JsonFactory YAML =
      YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private ConfigFileReader() {}

  /**
   * What was read.
   *
   * @param file the entries that could be read (the others are left out and named in errors)
   * @param errors every problem found, by path in the file; empty when the file is well formed
   */
  public record Result(ConfigFile file, List<FieldError> errors, SourceLines lines) {
    public boolean ok() {
      return errors.isEmpty();
    }

    /** {@code routes[3].targetUrl (line 12): message} for each error. */
    public List<String> describe(String fileName) {
      return ConfigFileReader.describe(errors, lines, fileName);
    }
  }

  /** {@code FILE:LINE: field: message} for each error, the line when known. */
  public static List<String> describe(List<FieldError> errors, SourceLines lines, String fileName) {
    return errors.stream()
        .map(
            e -> {
              int line = lines.lineOf(e.field());
              return fileName
                  + (line > 0 ? ":" + line : "")
                  + ": "
                  + e.field()
                  + ": "
                  + e.message();
            })
        .toList();
  }

  public static Result read(byte[] content, SecretReferences secrets) {
    var factory = isJson(content) ? JSON : YAML;
    var errors = new ArrayList<FieldError>();
    JsonNode tree;
    SourceLines lines;
    try {
      lines = SourceLines.of(factory, content);
      tree = new ObjectMapper(factory).readTree(content);
    } catch (JsonProcessingException e) {
      var location = e.getLocation();
      var message = e.getOriginalMessage() == null ? "syntax error" : e.getOriginalMessage();
      errors.add(
          new FieldError(
              "file",
              "is not valid "
                  + (factory == JSON ? "JSON" : "YAML")
                  + (location == null ? "" : " at line " + location.getLineNr())
                  + ": "
                  + message.lines().findFirst().orElse("")));
      return new Result(new ConfigFile(null, null, null, null, null), errors, SourceLines.NONE);
    } catch (IOException e) {
      errors.add(new FieldError("file", "cannot be read: " + e.getMessage()));
      return new Result(new ConfigFile(null, null, null, null, null), errors, SourceLines.NONE);
    }
    if (tree == null || !tree.isObject()) {
      errors.add(
          new FieldError("file", "must be a mapping with apiVersion: " + ConfigFile.API_VERSION));
      return new Result(new ConfigFile(null, null, null, null, null), errors, lines);
    }
    return new Result(read((ObjectNode) tree, secrets, errors), errors, lines);
  }

  /** Reads an already parsed document (the Admin API's JSON body). */
  public static Result read(JsonNode tree, SecretReferences secrets) {
    var errors = new ArrayList<FieldError>();
    if (tree == null || !tree.isObject()) {
      errors.add(
          new FieldError("file", "must be an object with apiVersion: " + ConfigFile.API_VERSION));
      return new Result(new ConfigFile(null, null, null, null, null), errors, SourceLines.NONE);
    }
    return new Result(read((ObjectNode) tree, secrets, errors), errors, SourceLines.NONE);
  }

  private static ConfigFile read(
      ObjectNode root, SecretReferences secrets, List<FieldError> errors) {
    var version = root.get("apiVersion");
    if (version == null || !ConfigFile.API_VERSION.equals(version.asText())) {
      errors.add(
          new FieldError(
              "apiVersion",
              version == null
                  ? "is required: " + ConfigFile.API_VERSION
                  : "'" + version.asText() + "' is not supported; use " + ConfigFile.API_VERSION));
    }
    var known = new ArrayList<String>(List.of("apiVersion"));
    Arrays.stream(ConfigSection.values()).map(ConfigSection::field).forEach(known::add);
    root.fieldNames()
        .forEachRemaining(
            name -> {
              if (!known.contains(name)) {
                errors.add(
                    new FieldError(
                        name,
                        "is not a section of " + ConfigFile.API_VERSION + "; known: " + known));
              }
            });
    var routes = new ArrayList<RouteSpec>();
    for (var entry : entries(root, ConfigSection.ROUTES, errors)) {
      var node = entry.node();
      if (node == null) {
        routes.add(null);
        continue;
      }
      refuseServerFields(
          node, entry.path(), "", "a route by service, sourceHost, sourcePath and version", errors);
      resolveSecrets(node, entry.path(), secrets, errors);
      routes.add(convert(node, RouteSpec.class, entry.path(), errors));
    }
    var filters = new ArrayList<FilterSpec>();
    for (var entry : entries(root, ConfigSection.FILTERS, errors)) {
      refuseReferences(entry.node(), entry.path(), errors);
      filters.add(convert(entry.node(), FilterSpec.class, entry.path(), errors));
    }
    var tenants = new ArrayList<TenantSpec>();
    for (var entry : entries(root, ConfigSection.TENANTS, errors)) {
      refuseReferences(entry.node(), entry.path(), errors);
      tenants.add(convert(entry.node(), TenantSpec.class, entry.path(), errors));
    }
    var extensions = new ArrayList<ConfigFile.ExtensionEntry>();
    for (var entry : entries(root, ConfigSection.EXTENSIONS, errors)) {
      var node = entry.node();
      if (node == null) {
        extensions.add(null);
        continue;
      }
      refuseReferences(node, entry.path(), errors);
      var tenant = text(node.remove("tenant"), entry.path() + ".tenant", errors);
      var id = text(node.remove("id"), entry.path() + ".id", errors);
      var spec = convert(node, ExtensionSpec.class, entry.path(), errors);
      extensions.add(spec == null ? null : new ConfigFile.ExtensionEntry(tenant, id, spec));
    }
    var upstreams = new ArrayList<UpstreamSpec>();
    for (var entry : entries(root, ConfigSection.UPSTREAMS, errors)) {
      var node = entry.node();
      if (node != null) {
        refuseServerFields(node, entry.path(), "id", "an upstream by id", errors);
      }
      refuseReferences(node, entry.path(), errors);
      upstreams.add(convert(node, UpstreamSpec.class, entry.path(), errors));
    }
    return new ConfigFile(routes, filters, tenants, extensions, upstreams);
  }

  private record Entry(ObjectNode node, String path) {}

  /**
   * Reports and removes the {@link #SERVER_FIELDS} an entry carries, except {@code keyField} (an
   * upstream's id is its natural key); {@code namedBy} says how a file names the entry instead.
   */
  private static void refuseServerFields(
      ObjectNode node, String path, String keyField, String namedBy, List<FieldError> errors) {
    for (var field : SERVER_FIELDS) {
      if (node.has(field) && !keyField.equals(field)) {
        errors.add(
            new FieldError(path + "." + field, "is set by the server; a file names " + namedBy));
        node.remove(field);
      }
    }
  }

  /**
   * The section's entries in file order, copied (reading must not change the tree); an entry that
   * is not an object is reported and kept as a null node, so that indexes stay those of the file.
   */
  private static List<Entry> entries(
      ObjectNode root, ConfigSection section, List<FieldError> errors) {
    var value = root.get(section.field());
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!(value instanceof ArrayNode array)) {
      errors.add(new FieldError(section.field(), "must be a list"));
      return List.of();
    }
    var out = new ArrayList<Entry>();
    for (int i = 0; i < array.size(); i++) {
      if (array.get(i) instanceof ObjectNode object) {
        out.add(new Entry(object.deepCopy(), section.at(i)));
      } else {
        errors.add(new FieldError(section.at(i), "must be a mapping of fields"));
        out.add(new Entry(null, section.at(i)));
      }
    }
    return out;
  }

  private static <T> T convert(
      ObjectNode node, Class<T> type, String path, List<FieldError> errors) {
    if (node == null) {
      return null;
    }
    try {
      return Json.mapper().treeToValue(node, type);
    } catch (JsonProcessingException e) {
      for (var error : JsonProblems.of(e).errors()) {
        errors.add(
            new FieldError(
                error.field().equals("body") ? path : path + "." + error.field(), error.message()));
      }
      if (JsonProblems.of(e).errors().isEmpty()) {
        errors.add(new FieldError(path, "cannot be read: " + JsonProblems.of(e).detail()));
      }
      return null;
    }
  }

  private static String text(JsonNode value, String path, List<FieldError> errors) {
    if (value == null || value.isNull()) {
      return null; // "is required" comes from the validator, with the other field errors
    }
    if (!value.isTextual()) {
      errors.add(new FieldError(path, "has the wrong type; expected a string"));
      return null;
    }
    return value.asText();
  }

  /** Replaces references in a route's secret fields by their values. */
  private static void resolveSecrets(
      ObjectNode route, String path, SecretReferences secrets, List<FieldError> errors) {
    if (route.get("tls") instanceof ObjectNode tls) {
      for (var field : SecretReferences.FIELDS) {
        var name = field.substring("tls.".length());
        var value = tls.get(name);
        if (value != null
            && value.isTextual()
            && SecretReferences.looksLikeReference(value.asText())) {
          var resolved = secrets.resolve(value.asText(), path + "." + field, errors);
          tls.set(name, resolved == null ? null : TextNode.valueOf(resolved));
        }
      }
    }
    refuseReferences(route, path, errors);
  }

  /** A reference anywhere else is an error: it would be taken literally. */
  private static void refuseReferences(JsonNode node, String path, List<FieldError> errors) {
    if (node == null) {
      return;
    }
    if (node.isTextual() && SecretReferences.looksLikeReference(node.asText())) {
      errors.add(
          new FieldError(
              path,
              "secret references are accepted only in a route's "
                  + String.join(" and ", new java.util.TreeSet<>(SecretReferences.FIELDS))));
      return;
    }
    if (node.isObject()) {
      node.properties()
          .forEach(f -> refuseReferences(f.getValue(), path + "." + f.getKey(), errors));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        refuseReferences(node.get(i), path + "[" + i + "]", errors);
      }
    }
  }

  private static boolean isJson(byte[] content) {
    for (byte b : content) {
      if (!Character.isWhitespace(b)) {
        return b == '{';
      }
    }
    return false;
  }
}
