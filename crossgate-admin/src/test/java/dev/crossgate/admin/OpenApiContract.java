package dev.crossgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.crossgate.json.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The Admin API's OpenAPI document as a checker of real answers: each answer is matched to its
 * documented operation (method and path template), and its status, content type and body are
 * checked against what that operation documents. Violations are collected, not thrown, so that one
 * run lists all of them.
 *
 * <p>Checked strictly: every object schema that lists its properties is taken as closed ({@code
 * unevaluatedProperties: false} added), so a field the server sends that the document does not list
 * is a violation. The published document stays open, so that clients tolerate fields added later.
 * Schemas that others extend ({@code $ref} beside {@code properties}) are closed by the extending
 * schema instead.
 */
final class OpenApiContract {
  /** Where the document is registered with the validator; never fetched. */
  private static final String DOCUMENT_IRI = "https://crossgate.dev/admin/openapi.json";

  private static final Set<String> METHODS = Set.of("get", "put", "post", "patch", "delete");

  private final JsonNode document;
  private final SchemaRegistry schemas;
  private final List<Template> templates = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final Set<String> called = new LinkedHashSet<>();
  private final Set<String> succeeded = new LinkedHashSet<>();
  private final Set<Integer> statuses = new TreeSet<>();

  private record Template(String path, Pattern pattern, int variables) {}

  OpenApiContract(String documentJson) throws Exception {
    this.document = Json.mapper().readTree(documentJson);
    var strict = document.deepCopy();
    var extended = new HashSet<String>();
    strict.findParents("$ref").stream()
        .filter(node -> node.has("properties"))
        .forEach(node -> extended.add(node.path("$ref").asText().substring(1)));
    close(strict, "", extended);
    var strictJson = Json.mapper().writeValueAsString(strict);
    this.schemas =
        SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemas(Map.of(DOCUMENT_IRI, strictJson)));
    document
        .path("paths")
        .properties()
        .forEach(
            e -> {
              var path = e.getKey();
              var regex = Pattern.quote(path).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q");
              templates.add(
                  new Template(path, Pattern.compile(regex), path.split("\\{", -1).length - 1));
            });
    // a literal segment wins over a variable: /admin/routes/batch before /admin/routes/{id}
    templates.sort(Comparator.comparingInt(Template::variables));
  }

  /** Adds {@code unevaluatedProperties: false} where the class comment says. */
  private static void close(JsonNode node, String pointer, Set<String> extended) {
    if (node instanceof ObjectNode object) {
      if (object.has("properties")
          && !object.has("additionalProperties")
          && !object.has("unevaluatedProperties")
          && !extended.contains(pointer)) {
        object.put("unevaluatedProperties", false);
      }
      object
          .properties()
          .forEach(e -> close(e.getValue(), pointer + "/" + pointerToken(e.getKey()), extended));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        close(node.get(i), pointer + "/" + i, extended);
      }
    }
  }

  private static String pointerToken(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  JsonNode document() {
    return document;
  }

  /** One operation of the document. */
  private record Operation(String method, String path, JsonNode node) {
    @Override
    public String toString() {
      return method.toUpperCase(Locale.ROOT) + " " + path;
    }
  }

  private List<Operation> operations() {
    var operations = new ArrayList<Operation>();
    for (var path : document.path("paths").properties()) {
      for (var op : path.getValue().properties()) {
        if (METHODS.contains(op.getKey())) {
          operations.add(new Operation(op.getKey(), path.getKey(), op.getValue()));
        }
      }
    }
    return operations;
  }

  /** Every operationId of the document, in document order ("(none) METHOD path" when missing). */
  List<String> operationIds() {
    return operations().stream()
        .map(op -> op.node().path("operationId").asText("(none) " + op))
        .toList();
  }

  /**
   * Responses the document leaves incomplete: a status other than 204 without a body, a 204 with
   * one, an error that is not the Problem response.
   */
  List<String> documentGaps() {
    var gaps = new ArrayList<String>();
    for (var op : operations()) {
      for (var r : op.node().path("responses").properties()) {
        var where = op + " " + r.getKey();
        var status = Integer.parseInt(r.getKey());
        if (status >= 400) {
          if (!r.getValue().path("$ref").asText().equals("#/components/responses/Problem")) {
            gaps.add(where + ": not the Problem response");
          }
        } else {
          var bodies = resolve(r.getValue()).path("content").size();
          if ((status == 204) != (bodies == 0)) {
            gaps.add(where + ": " + bodies + " bodies documented");
          }
        }
      }
    }
    return gaps;
  }

  private JsonNode resolve(JsonNode response) {
    return response.has("$ref")
        ? document.at(response.path("$ref").asText().substring(1))
        : response;
  }

  /** The operationIds answers were checked against. */
  Set<String> called() {
    return called;
  }

  /** The operationIds that answered with a 2xx status at least once. */
  Set<String> succeeded() {
    return succeeded;
  }

  /** The statuses of the answers checked. */
  Set<Integer> statuses() {
    return statuses;
  }

  List<String> violations() {
    return violations;
  }

  /** Checks one answer to {@code method} on {@code target} (a path with an optional query). */
  void check(String method, String target, AdminKit.Reply reply) {
    var path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
    var lowerMethod = method.toLowerCase(Locale.ROOT);
    var where = method + " " + target + " -> " + reply.status();
    statuses.add(reply.status());
    var template =
        templates.stream()
            .filter(
                t ->
                    t.pattern().matcher(path).matches()
                        && document.path("paths").path(t.path()).has(lowerMethod))
            .findFirst();
    if (template.isEmpty()) {
      violations.add(where + ": no documented operation");
      return;
    }
    var operation = document.path("paths").path(template.get().path()).path(lowerMethod);
    var operationId = operation.path("operationId").asText(method + " " + template.get().path());
    called.add(operationId);
    if (reply.status() < 300) {
      succeeded.add(operationId);
    }
    var status = String.valueOf(reply.status());
    var response = operation.path("responses").path(status);
    var pointer =
        "/paths/" + escape(template.get().path()) + "/" + lowerMethod + "/responses/" + status;
    if (response.isMissingNode()) {
      violations.add(where + ": status not documented; body " + abbreviate(reply.body()));
      return;
    }
    if (response.has("$ref")) {
      pointer = response.path("$ref").asText().substring(1);
    }
    response = resolve(response);
    var content = response.path("content");
    var contentType = reply.header("content-type");
    if (content.isEmpty()) {
      if (!reply.body().isEmpty()) {
        violations.add(
            where + ": body not documented (" + contentType + ") " + abbreviate(reply.body()));
      }
      return;
    }
    var mediaType =
        contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!content.has(mediaType)) {
      violations.add(where + ": content type " + contentType + " not documented");
      return;
    }
    if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
      return;
    }
    if (reply.json() == null) {
      violations.add(where + ": not JSON: " + abbreviate(reply.body()));
      return;
    }
    var schema =
        schemas.getSchema(
            SchemaLocation.of(
                DOCUMENT_IRI + "#" + pointer + "/content/" + escape(mediaType) + "/schema"));
    List<Error> errors = schema.validate(reply.json());
    if (!errors.isEmpty()) {
      violations.add(where + ": " + errors + " in " + abbreviate(reply.body()));
    }
  }

  /** A JSON pointer token (RFC 6901), percent-encoded for use in a URI fragment (RFC 3986). */
  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1").replace("{", "%7B").replace("}", "%7D");
  }

  private static String abbreviate(String body) {
    return body.length() <= 300 ? body : body.substring(0, 300) + "…";
  }
}
