package dev.crossgate.admin.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.crossgate.json.Json;
import dev.crossgate.json.JsonBinder;
import dev.crossgate.json.JsonProblems;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.StoredSecrets;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * What every Admin API handler does the same way: read a JSON body (415/400 with the field named),
 * run store work on a worker thread (the store blocks), write JSON or hand the failure to the
 * router's failure handler, which renders it as a problem.
 */
public final class Replies {
  private Replies() {}

  /**
   * Runs blocking {@code work} on a worker thread and writes its result as JSON with {@code
   * status}.
   */
  public static <T> void blocking(RoutingContext ctx, int status, Callable<T> work) {
    offload(ctx, work).onSuccess(result -> json(ctx, status, result)).onFailure(ctx::fail);
  }

  /** Runs blocking {@code work} on a worker thread; the caller writes the reply. */
  public static <T> Future<T> offload(RoutingContext ctx, Callable<T> work) {
    return ctx.vertx().executeBlocking(work, false);
  }

  public static void json(RoutingContext ctx, int status, Object body) {
    var response = ctx.response().setStatusCode(status);
    if (body == null) {
      response.end();
      return;
    }
    // no stored secret (a route's upstream client key) ever leaves through the Admin API
    response
        .putHeader("content-type", "application/json")
        .end(Buffer.buffer(StoredSecrets.redact(Json.writeBytes(body))));
  }

  /**
   * Parses the request body as {@code type}, naming every unknown or mistyped field at once.
   *
   * @throws ProblemException 415 for a non-JSON content type, 400 for bad JSON or fields
   */
  public static <T> T body(RoutingContext ctx, Class<T> type) {
    return body(ctx, type, value -> List.of());
  }

  /**
   * Parses the request body as {@code type}; when a field is unknown or mistyped, the one 400
   * problem also lists what {@code check} (the resource's validator) finds in the other fields.
   *
   * @throws ProblemException 415 for a non-JSON content type, 400 for bad JSON or fields
   */
  public static <T> T body(
      RoutingContext ctx, Class<T> type, Function<? super T, List<FieldError>> check) {
    requireJson(ctx);
    return JsonBinder.read(bytes(ctx), type).orThrow(check);
  }

  /** Parses the request body as a JSON tree (for merge patches). */
  public static com.fasterxml.jackson.databind.JsonNode tree(
      RoutingContext ctx, String... mediaTypes) {
    requireJson(ctx, mediaTypes);
    try {
      var node = Json.mapper().readTree(bytes(ctx));
      if (node == null || node.isMissingNode()) {
        throw new ProblemException(Problem.malformedJson("the body is empty"));
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ProblemException(JsonProblems.of(e));
    } catch (java.io.IOException e) {
      throw new ProblemException(Problem.malformedJson("the body could not be read"));
    }
  }

  private static byte[] bytes(RoutingContext ctx) {
    var body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw new ProblemException(Problem.malformedJson("the body is empty; send a JSON object"));
    }
    return body.getBytes();
  }

  private static void requireJson(RoutingContext ctx, String... mediaTypes) {
    var contentType = ctx.request().getHeader("content-type");
    var base = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    var accepted = mediaTypes.length == 0 ? new String[] {"application/json"} : mediaTypes;
    for (var m : accepted) {
      if (m.equals(base)) {
        return;
      }
    }
    throw new ProblemException(
        Problem.unsupportedMediaType(
            (contentType == null
                    ? "no Content-Type was sent"
                    : "Content-Type " + contentType + " is not accepted")
                + "; send "
                + String.join(" or ", accepted)));
  }

  /** An integer query parameter within bounds, or the default when absent. */
  public static int intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
    var raw = ctx.queryParams().get(name);
    if (raw == null || raw.isEmpty()) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(raw);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ProblemException(
        Problem.validation(
            List.of(new FieldError(name, "must be a whole number from " + min + " to " + max))));
  }

  /**
   * An enum query parameter, case-insensitive, or the default when absent; a value outside the enum
   * is a 400 listing the accepted ones.
   */
  public static <E extends Enum<E>> E enumParam(RoutingContext ctx, String name, E fallback) {
    var raw = ctx.queryParams().get(name);
    if (raw == null || raw.isEmpty()) {
      return fallback;
    }
    var constants = fallback.getDeclaringClass().getEnumConstants();
    for (var constant : constants) {
      if (constant.name().equalsIgnoreCase(raw)) {
        return constant;
      }
    }
    var accepted =
        java.util.Arrays.stream(constants)
            .map(c -> c.name().toLowerCase(java.util.Locale.ROOT))
            .toList();
    throw new ProblemException(
        Problem.validation(
            List.of(new FieldError(name, "must be one of " + String.join(", ", accepted)))));
  }
}
