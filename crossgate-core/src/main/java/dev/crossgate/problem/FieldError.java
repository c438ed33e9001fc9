package dev.crossgate.problem;

import java.util.Objects;

/** One invalid field of a request body: which one, and why in words an operator understands. */
public record FieldError(String field, String message) {
  public FieldError {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(message, "message");
  }
}
