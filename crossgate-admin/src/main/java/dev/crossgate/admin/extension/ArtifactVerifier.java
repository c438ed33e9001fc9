package dev.crossgate.admin.extension;

import dev.crossgate.egress.EgressClient;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.egress.EgressRefusedException;
import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.extension.Extension;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.extension.ExtensionModuleRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the addresses of an extension when it is written and fetches each WebAssembly artifact (a
 * module uploaded to the platform is only looked up: the tenant must have uploaded it): the
 * endpoint and every artifact URL must pass the {@link EgressPolicy} (403 {@code egress-refused}),
 * and a module that cannot be fetched, is too large, does not match its registered SHA-256 or is
 * not WebAssembly is refused (400). Fetches go through the {@link EgressClient}: no redirects,
 * checked addresses only, and a failure reads the same whatever the answer was — the control plane
 * must not become a way to read internal services.
 *
 * <p>{@link #verify} blocks: it runs on the Admin API's worker thread and waits for the Vert.x
 * client's futures there, never on an event loop.
 */
public final class ArtifactVerifier {
  private static final Logger LOG = LoggerFactory.getLogger(ArtifactVerifier.class);

  private final HttpClient http;
  private final EgressClient egress;
  private final Duration timeout;
  private final ExtensionModuleRepository modules;

  /**
   * @param modules the modules uploaded to the platform: a version may name one only if its tenant
   *     uploaded it
   */
  public ArtifactVerifier(
      Vertx vertx, EgressPolicy policy, Duration timeout, ExtensionModuleRepository modules) {
    this.http =
        vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeout.toMillis()));
    this.egress = EgressClient.create(vertx, http, policy);
    this.timeout = timeout;
    this.modules = modules;
  }

  /** The control plane listens on {@code port}: no extension may point there. */
  public void ownPort(int port) {
    egress.ownPort(port);
  }

  /** Worker thread. */
  public void verify(Extension extension) {
    if (extension.endpoint() != null) {
      await(egress.admit(extension.endpoint()).mapEmpty(), "endpoint");
    }
    var errors = new ArrayList<FieldError>();
    var versions = extension.versions();
    for (int i = 0; i < versions.size(); i++) {
      var artifact = versions.get(i).artifact();
      if (artifact == null) {
        continue;
      }
      var field = "versions[" + i + "].artifact";
      if (artifact.isHosted()) {
        if (modules.size(extension.tenant(), artifact.sha256()).isEmpty()) {
          errors.add(
              new FieldError(
                  field + ".sha256",
                  "tenant "
                      + extension.tenant()
                      + " has uploaded no module with this SHA-256 (PUT /admin/tenants/"
                      + extension.tenant()
                      + "/extensions/"
                      + extension.id()
                      + "/versions/"
                      + versions.get(i).version()
                      + "/module), and no url says where the tenant serves it"));
        }
        continue;
      }
      var fetched =
          await(
              egress
                  .fetch(artifact.url(), ArtifactCheck.MAX_MODULE_BYTES + 1, timeout.toMillis())
                  .map(io.vertx.core.buffer.Buffer::getBytes),
              field + ".url");
      try {
        if (fetched == null) {
          throw ArtifactCheck.unfetchable(artifact);
        }
        ArtifactCheck.verify(fetched, artifact);
      } catch (ArtifactCheck.BadArtifactException e) {
        errors.add(new FieldError(field, e.getMessage()));
      }
    }
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
  }

  /**
   * The future's value, or null when it failed for a reason other than the egress policy (logged).
   * A refused address, or a name that does not resolve, is a 403 for {@code field}: both read the
   * same, so the answer tells nothing about the names inside.
   */
  private <T> T await(Future<T> future, String field) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      var cause = e.getCause();
      if (cause instanceof EgressRefusedException
          || cause instanceof java.net.UnknownHostException
          || (field.equals("endpoint") && !(cause instanceof EgressClient.FetchFailedException))) {
        throw new ProblemException(Problem.egressRefused(field));
      }
      LOG.info("event=extension-artifact-unfetchable field={} cause={}", field, cause.toString());
      return null;
    } catch (TimeoutException e) {
      LOG.info("event=extension-artifact-unfetchable field={} cause=timeout", field);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking an extension", e);
    }
  }

  public Future<Void> close() {
    return http.close();
  }
}
