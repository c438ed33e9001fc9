package dev.crossgate.admin.config;

import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.ETags;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.configfile.ConfigFileReader;
import dev.crossgate.configfile.SecretReferences;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.config.ConfigStore;
import dev.crossgate.store.extension.ExtensionRepository;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /admin/config}: the whole configuration as one document (the file {@code crossgate config}
 * reads and writes). {@code GET} exports it ({@code ?atRevision=N}: as it was at revision N) with
 * the entity tag {@code "rev-N"}; {@code PUT} applies a file in one transaction and answers the
 * plan ({@code ?dryRun=true}: only the plan; {@code ?prune=true}: delete what the file does not
 * name; {@code If-Match: "rev-N"}: refuse with 412 when the configuration moved since N).
 */
public final class ConfigEndpoint implements AdminEndpoint {
  private final ConfigStore store;
  private final ExtensionRepository.ArtifactVerifier verifier;

  public ConfigEndpoint(ConfigStore store, ExtensionRepository.ArtifactVerifier verifier) {
    this.store = store;
    this.verifier = verifier;
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/config").handler(this::export);
    router.put("/admin/config").handler(this::apply);
  }

  private void export(RoutingContext ctx) {
    var raw = ctx.queryParams().get("atRevision");
    Long at =
        raw == null ? null : (long) Replies.intParam(ctx, "atRevision", 0, 0, Integer.MAX_VALUE);
    Replies.offload(ctx, () -> at == null ? store.export() : store.exportAt(at))
        .onSuccess(
            export -> {
              ctx.response().putHeader("etag", ETags.ofConfiguration(export.revision()));
              Replies.json(ctx, 200, export.document());
            })
        .onFailure(ctx::fail);
  }

  private void apply(RoutingContext ctx) {
    var read = ConfigFileReader.read(Replies.tree(ctx), SecretReferences.refused());
    if (!read.ok()) {
      throw new ProblemException(Problem.validation(read.errors()));
    }
    var dryRun = flag(ctx, "dryRun");
    var prune = flag(ctx, "prune");
    var ifRevision = ETags.ifMatchConfiguration(ctx);
    var actor = AdminAuth.actor(ctx);
    Replies.offload(ctx, () -> store.apply(read.file(), prune, dryRun, ifRevision, actor, verifier))
        .onSuccess(
            plan -> {
              ctx.response().putHeader("etag", ETags.ofConfiguration(plan.revision()));
              Replies.json(ctx, 200, plan);
            })
        .onFailure(ctx::fail);
  }

  private static boolean flag(RoutingContext ctx, String name) {
    var raw = ctx.queryParams().get(name);
    if (raw == null || raw.isEmpty() || raw.equals("false")) {
      return false;
    }
    if (raw.equals("true")) {
      return true;
    }
    throw new ProblemException(
        Problem.validation(
            java.util.List.of(
                new dev.crossgate.problem.FieldError(name, "must be true or false"))));
  }
}
