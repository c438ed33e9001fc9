package dev.crossgate.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns Jackson's failures into problems an operator can act on: unknown and mistyped fields become
 * 400 validation problems naming the field; syntax errors become 400 malformed-json problems with
 * the line and column. Jackson's own messages are not passed on: they can echo class names.
 */
public final class JsonProblems {
  private JsonProblems() {}

  public static Problem of(JsonProcessingException e) {
    if (e instanceof UnrecognizedPropertyException u) {
      var known =
          u.getKnownPropertyIds() == null
              ? ""
              : "; known fields: "
                  + u.getKnownPropertyIds().stream()
                      .map(Object::toString)
                      .sorted()
                      .collect(Collectors.joining(", "));
      return Problem.validation(List.of(new FieldError(path(u), "is not a known field" + known)));
    }
    if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
      var expected = m.getTargetType() == null ? "another type" : describe(m.getTargetType());
      return Problem.validation(
          List.of(new FieldError(path(m), "has the wrong type; expected " + expected)));
    }
    var location = e.getLocation();
    var where =
        location == null
            ? ""
            : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    if (e instanceof MismatchedInputException) {
      return Problem.malformedJson("the body must be a JSON object" + where);
    }
    var message = e.getOriginalMessage();
    var reason = message == null ? "syntax error" : message.split("\n")[0];
    if (reason.length() > 160) {
      reason = reason.substring(0, 160);
    }
    return Problem.malformedJson("the body is not valid JSON" + where + ": " + reason)
        .with("line", location == null ? 0 : location.getLineNr())
        .with("column", location == null ? 0 : location.getColumnNr());
  }

  private static String path(JsonMappingException e) {
    var sb = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "body" : sb.toString();
  }

  static String describe(Class<?> type) {
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
      return "a number";
    }
    if (type == java.time.Instant.class) {
      return "an ISO-8601 time such as 2026-01-31T12:00:00Z";
    }
    if (List.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    return "an object";
  }
}
