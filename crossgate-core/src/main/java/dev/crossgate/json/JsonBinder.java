package dev.crossgate.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Function;

/**
 * Reads a request body into a record and, when it does not fit, names every field that does not at
 * once: unknown fields, fields of the wrong type and missing required primitives, instead of the
 * first one Jackson trips over. The offending fields are left out of the value, so the resource's
 * own validator can still report what is wrong with the rest ({@link Binding#orThrow}).
 *
 * <p>Records are walked field by field (the Admin API's request bodies are all records); lists and
 * arrays element by element; anything else is a leaf Jackson converts on its own.
 */
public final class JsonBinder {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonBinder() {}

  /**
   * A body read as far as it could be: the value without the offending fields, and what was wrong.
   */
  public record Binding<T>(T value, List<FieldError> errors) {
    public Binding {
      errors = List.copyOf(errors);
    }

    /**
     * The value when nothing was wrong; otherwise one validation problem listing these errors and
     * those {@code check} finds in the rest of the value (its errors on a field already named are
     * left out: they would only repeat that the field is missing).
     *
     * @param check the resource's field checks, returning every invalid field
     * @throws ProblemException a 400 validation problem
     */
    public T orThrow(Function<? super T, List<FieldError>> check) {
      if (errors.isEmpty()) {
        return value;
      }
      var all = new ArrayList<>(errors);
      for (var e : check.apply(value)) {
        if (errors.stream().noneMatch(known -> within(e.field(), known.field()))) {
          all.add(e);
        }
      }
      throw new ProblemException(Problem.validation(all));
    }

    private static boolean within(String field, String known) {
      return field.equals(known)
          || field.startsWith(known + ".")
          || field.startsWith(known + "[")
          || known.equals("body");
    }
  }

  /**
   * Reads {@code json} as {@code type}: the fast strict read first, the field-by-field walk only
   * when that fails.
   *
   * @throws ProblemException 400 malformed-json when the body is not JSON or not of the body's
   *     shape (an object, an array)
   */
  public static <T> Binding<T> read(byte[] json, Class<T> type) {
    try {
      var value = Json.mapper().readValue(json, type);
      if (value == null) {
        throw new ProblemException(
            Problem.malformedJson("the body must be a JSON object, not null"));
      }
      return new Binding<>(value, List.of());
    } catch (DatabindException e) {
      return bind(tree(json), type);
    } catch (JsonProcessingException e) {
      throw new ProblemException(JsonProblems.of(e));
    } catch (IOException e) {
      throw new ProblemException(Problem.malformedJson("the body could not be read"));
    }
  }

  private static JsonNode tree(byte[] json) {
    try {
      return Json.mapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new ProblemException(JsonProblems.of(e));
    } catch (IOException e) {
      throw new ProblemException(Problem.malformedJson("the body could not be read"));
    }
  }

  /**
   * Binds an already parsed tree (e.g. a route after a merge patch) as {@code type}.
   *
   * @throws ProblemException 400 malformed-json when the tree is not of the body's shape
   */
  public static <T> Binding<T> bind(JsonNode tree, Class<T> type) {
    var javaType = Json.mapper().constructType(type);
    if (tree == null || tree.isNull() || tree.isMissingNode()) {
      throw new ProblemException(Problem.malformedJson("the body must be a JSON object, not null"));
    }
    if (javaType.isRecordType() && !tree.isObject()) {
      throw new ProblemException(Problem.malformedJson("the body must be a JSON object"));
    }
    if (javaType.isContainerType() && !tree.isArray()) {
      throw new ProblemException(Problem.malformedJson("the body must be a JSON array"));
    }
    var errors = new ArrayList<FieldError>();
    var cleaned = clean(tree, javaType, "", errors);
    try {
      return new Binding<>(Json.mapper().treeToValue(cleaned, javaType), errors);
    } catch (JsonProcessingException e) {
      // a rule the walk does not know: report it rather than lose it
      errors.addAll(JsonProblems.of(e).errors());
      if (errors.isEmpty()) {
        throw new ProblemException(JsonProblems.of(e));
      }
      throw new ProblemException(Problem.validation(errors));
    }
  }

  /** The node with every offending field removed, or null when the node itself is wrong. */
  private static JsonNode clean(
      JsonNode node, JavaType type, String path, List<FieldError> errors) {
    if (node.isNull()) {
      return node;
    }
    if (type.isRecordType()) {
      return cleanRecord(node, type, path, errors);
    }
    if ((type.isCollectionLikeType() || type.isArrayType()) && type.getContentType() != null) {
      if (!node.isArray()) {
        return wrongType(errors, path, "an array");
      }
      var out = NODES.arrayNode();
      for (int i = 0; i < node.size(); i++) {
        var element = clean(node.get(i), type.getContentType(), path + "[" + i + "]", errors);
        out.add(element == null ? NODES.nullNode() : element);
      }
      return out;
    }
    try {
      Json.mapper().treeToValue(node, type);
      return node;
    } catch (JsonProcessingException e) {
      return wrongType(errors, path, JsonProblems.describe(type.getRawClass()));
    }
  }

  private static JsonNode cleanRecord(
      JsonNode node, JavaType type, String path, List<FieldError> errors) {
    if (!node.isObject()) {
      return wrongType(errors, path, "an object");
    }
    var properties = new LinkedHashMap<String, JavaType>();
    for (var p : Json.mapper().getDeserializationConfig().introspect(type).findProperties()) {
      if (p.couldDeserialize()) {
        properties.put(p.getName(), p.getPrimaryType());
      }
    }
    ObjectNode out = NODES.objectNode();
    for (var field : node.properties()) {
      var name = field.getKey();
      var at = path.isEmpty() ? name : path + "." + name;
      var propertyType = properties.get(name);
      if (propertyType == null) {
        errors.add(
            new FieldError(
                at,
                "is not a known field; known fields: "
                    + String.join(", ", properties.keySet().stream().sorted().toList())));
        continue;
      }
      var value = clean(field.getValue(), propertyType, at, errors);
      if (value != null) {
        out.set(name, value);
      }
    }
    for (var p : properties.entrySet()) {
      var raw = p.getValue().getRawClass();
      if (raw.isPrimitive() && !out.hasNonNull(p.getKey())) {
        var at = path.isEmpty() ? p.getKey() : path + "." + p.getKey();
        if (!node.has(p.getKey()) || node.get(p.getKey()).isNull()) {
          errors.add(new FieldError(at, "is required"));
        }
        // a stand-in so the rest binds; the error above (or the type error) refuses the body
        out.set(p.getKey(), raw == boolean.class ? NODES.booleanNode(false) : NODES.numberNode(0));
      }
    }
    return out;
  }

  private static JsonNode wrongType(List<FieldError> errors, String path, String expected) {
    errors.add(
        new FieldError(path.isEmpty() ? "body" : path, "has the wrong type; expected " + expected));
    return null;
  }
}
