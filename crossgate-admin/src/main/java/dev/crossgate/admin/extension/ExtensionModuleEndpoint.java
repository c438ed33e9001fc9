package dev.crossgate.admin.extension;

import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.digest.DigestAlgorithm;
import dev.crossgate.digest.DigestField;
import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.extension.Extension;
import dev.crossgate.extension.ModuleLoad;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.extension.ExtensionModuleRepository;
import dev.crossgate.store.extension.ExtensionRepository;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * {@code /admin/tenants/{t}/extensions/{id}/versions/{v}}: where a version runs and the load state
 * of its module on each node (only ever the tenant's own: nodes report modules per tenant), and
 * {@code …/module}, a WebAssembly module uploaded to the platform for that version (DESIGN.md
 * "Extensions": extensions deployed on the platform). Callable with an admin token or the tenant's
 * own API key, like the registry ({@link ExtensionEndpoint}).
 *
 * <p>An upload is the module itself, with {@code Content-Digest: sha-256=:…:} (RFC 9530) computed
 * by the uploader: the bytes that arrived must have that digest, be at most {@link
 * ArtifactCheck#MAX_MODULE_BYTES}, be WebAssembly, and import only what {@link ModuleImports}
 * allows. The module is kept by the control plane and the version's artifact becomes that digest
 * (one registry change), so nodes fetch it from the control plane by digest.
 */
public final class ExtensionModuleEndpoint implements AdminEndpoint {
  private static final String VERSION_PATH = "/admin/tenants/:tenant/extensions/:id/versions/:v";
  private static final Pattern UPLOAD =
      Pattern.compile("/admin/tenants/[^/]+/extensions/[^/]+/versions/[^/]+/module");

  private final ExtensionRepository extensions;
  private final ExtensionModuleRepository modules;
  private final BiFunction<String, String, List<ModuleLoad.OnNode>> loads;

  /**
   * @param loads the load state of a tenant's module (by tenant and SHA-256) on every node; called
   *     on a worker thread
   */
  public ExtensionModuleEndpoint(
      ExtensionRepository extensions,
      ExtensionModuleRepository modules,
      BiFunction<String, String, List<ModuleLoad.OnNode>> loads) {
    this.extensions = extensions;
    this.modules = modules;
    this.loads = loads;
  }

  /**
   * Where a version runs, what module it has, how large, and its load state on each node ({@code
   * nodes}, empty for a version without a module).
   */
  public record VersionPlacement(
      String version,
      int weight,
      String runsOn,
      String sha256,
      String url,
      Integer sizeBytes,
      List<ModuleLoad.OnNode> nodes) {
    public VersionPlacement {
      nodes = List.copyOf(nodes);
    }
  }

  /** True for a module upload, whose body may be as large as a module rather than a JSON body. */
  public static boolean isUpload(HttpServerRequest request) {
    return request.method() == HttpMethod.PUT && UPLOAD.matcher(request.path()).matches();
  }

  @Override
  public void mount(Router router) {
    router
        .get(VERSION_PATH)
        .handler(
            ctx -> {
              var tenant = ExtensionEndpoint.ownTenant(ctx);
              var id = ctx.pathParam("id");
              var version = ctx.pathParam("v");
              Replies.blocking(ctx, 200, () -> placement(find(tenant, id), version));
            });
    router
        .put(VERSION_PATH + "/module")
        .handler(
            ctx -> {
              var tenant = ExtensionEndpoint.ownTenant(ctx);
              var id = ctx.pathParam("id");
              var version = ctx.pathParam("v");
              var digest = ctx.request().getHeader("Content-Digest");
              var body = ctx.body().buffer();
              var module = body == null ? new byte[0] : body.getBytes();
              var actor = AdminAuth.actor(ctx);
              Replies.blocking(
                  ctx,
                  200,
                  () -> {
                    version(find(tenant, id), version); // 404 before the module is read
                    var sha256 = check(module, digest);
                    modules.store(tenant, sha256, module, Instant.now());
                    return placement(
                        extensions.hostModule(tenant, id, version, sha256, actor), version);
                  });
            });
  }

  private Extension find(String tenant, String id) {
    return extensions
        .get(tenant, id)
        .orElseThrow(
            () ->
                new ProblemException(
                    Problem.notFound("tenant " + tenant + " has no extension " + id)));
  }

  /**
   * The module's SHA-256 (lowercase hex) once it passed every check; a 400 problem listing what
   * failed otherwise. Worker thread.
   */
  private static String check(byte[] module, String contentDigest) {
    var declared = DigestField.parse("Content-Digest", contentDigest, DigestAlgorithm.SHA_256);
    if (declared.algorithm() != DigestAlgorithm.SHA_256) {
      throw new ProblemException(
          Problem.validation(
              List.of(new FieldError("Content-Digest", "must carry sha-256=:<base64>:"))));
    }
    var computed = DigestAlgorithm.SHA_256.digest(ByteBuffer.wrap(module));
    if (!declared.matches(computed)) {
      throw new ProblemException(
          Problem.validation(
              List.of(
                  new FieldError(
                      "Content-Digest",
                      "does not match the body: the module received has "
                          + DigestField.format(DigestAlgorithm.SHA_256, computed)))));
    }
    var sha256 = ArtifactCheck.sha256(module);
    var errors = new ArrayList<FieldError>();
    try {
      ArtifactCheck.verify(module, Extension.Artifact.hosted(sha256));
      errors.addAll(ModuleImports.refused(module));
    } catch (ArtifactCheck.BadArtifactException e) {
      errors.add(new FieldError("module", e.getMessage()));
    }
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
    return sha256;
  }

  private static Extension.Version version(Extension extension, String name) {
    var version = extension.version(name);
    if (version == null) {
      throw new ProblemException(
          Problem.notFound("extension " + extension.id() + " has no version " + name));
    }
    return version;
  }

  /** The version's placement; worker thread (reads the module store and the node table). */
  private VersionPlacement placement(Extension extension, String name) {
    var version = version(extension, name);
    var artifact = version.artifact();
    var onPlatform = artifact != null && extension.dependsOn().isEmpty();
    Integer size = null;
    if (artifact != null && artifact.isHosted()) {
      var stored = modules.size(extension.tenant(), artifact.sha256());
      size = stored.isPresent() ? stored.getAsInt() : null;
    }
    return new VersionPlacement(
        version.version(),
        version.weight(),
        onPlatform ? "platform" : "tenant",
        artifact == null ? null : artifact.sha256(),
        artifact == null ? null : artifact.url(),
        size,
        artifact == null ? List.of() : loads.apply(extension.tenant(), artifact.sha256()));
  }
}
