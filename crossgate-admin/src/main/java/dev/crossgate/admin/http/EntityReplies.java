package dev.crossgate.admin.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.ToLongFunction;

/**
 * Replies of the configuration entities written with ETag / If-Match (routes, upstreams): the
 * entity as JSON with its revision as ETag, 404 naming what was not found, merge-patch bodies.
 */
public final class EntityReplies {
  private static final String MERGE_PATCH = "application/merge-patch+json";

  private EntityReplies() {}

  /** Runs blocking {@code write} and answers its entity with {@code status} and its ETag. */
  public static <T> void write(
      RoutingContext ctx, int status, Callable<T> write, ToLongFunction<T> revision) {
    Replies.offload(ctx, write)
        .onSuccess(entity -> reply(ctx, status, entity, revision))
        .onFailure(ctx::fail);
  }

  /** Answers the entity {@code find} reads with its ETag, or 404 with {@code notFound}. */
  public static <T> void read(
      RoutingContext ctx, Callable<Optional<T>> find, ToLongFunction<T> revision, String notFound) {
    Replies.offload(ctx, find)
        .onSuccess(
            found -> {
              if (found.isEmpty()) {
                ctx.fail(new ProblemException(Problem.notFound(notFound)));
              } else {
                reply(ctx, 200, found.get(), revision);
              }
            })
        .onFailure(ctx::fail);
  }

  /** The body of a PATCH: an RFC 7396 merge patch, which must be a JSON object. */
  public static JsonNode mergePatch(RoutingContext ctx) {
    var patch = Replies.tree(ctx, MERGE_PATCH, "application/json");
    if (!patch.isObject()) {
      throw new ProblemException(Problem.malformedJson("a merge patch must be a JSON object"));
    }
    return patch;
  }

  public static <T> void reply(
      RoutingContext ctx, int status, T entity, ToLongFunction<T> revision) {
    ctx.response().putHeader("etag", ETags.of(revision.applyAsLong(entity)));
    Replies.json(ctx, status, entity);
  }
}
