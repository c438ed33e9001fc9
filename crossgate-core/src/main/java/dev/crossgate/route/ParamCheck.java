package dev.crossgate.route;

import dev.crossgate.problem.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Checks a request's parameters against an interface's declared {@link Route.Param}s: every
 * required one present, every present one of its type ({@code string}, {@code integer}, {@code
 * number}, {@code boolean}, in their query-string spelling). Shared by the gateway and the agent,
 * so both refuse the same requests with the same field errors. Undeclared parameters pass.
 */
public final class ParamCheck {
  private ParamCheck() {}

  /** One error per bad parameter, named by the parameter; empty when the request is valid. */
  public static List<FieldError> check(
      List<Route.Param> declared, Function<String, String> values) {
    var errors = new ArrayList<FieldError>();
    for (var p : declared) {
      var value = values.apply(p.name());
      if (value == null) {
        if (p.required()) {
          errors.add(new FieldError(p.name(), "is required (" + p.type() + ")"));
        }
        continue;
      }
      if (!ofType(p.type(), value)) {
        errors.add(
            new FieldError(
                p.name(), "must be " + article(p.type()) + ", got '" + abbreviate(value) + "'"));
      }
    }
    return errors;
  }

  static boolean ofType(String type, String value) {
    switch (type) {
      case "integer":
        return value.matches("-?[0-9]{1,18}");
      case "number":
        try {
          return Double.isFinite(Double.parseDouble(value))
              && !value.isBlank()
              && !value.endsWith("d")
              && !value.endsWith("f")
              && !value.endsWith("D")
              && !value.endsWith("F");
        } catch (NumberFormatException e) {
          return false;
        }
      case "boolean":
        return value.equals("true") || value.equals("false");
      default:
        return true;
    }
  }

  private static String article(String type) {
    return type.equals("integer") ? "an integer" : "a " + type;
  }

  private static String abbreviate(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "…";
  }
}
