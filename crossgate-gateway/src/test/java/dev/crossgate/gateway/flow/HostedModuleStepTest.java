package dev.crossgate.gateway.flow;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.extension.Extension;
import dev.crossgate.gateway.extension.ExtensionOptions;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.TestExtensions;
import dev.crossgate.gateway.kit.WatModules;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Versions whose module was uploaded to the platform, on one node: fetched by digest from the
 * control plane (here a map standing in for it) once, checked, run in-process; an extension with no
 * endpoint never calls out.
 */
class HostedModuleStepTest {
  private static final byte[] MODULE =
      WatModules.answering("{\"response\":{\"status\":200,\"body\":{\"ran\":\"platform\"}}}");

  private final Map<String, byte[]> controlPlane = new ConcurrentHashMap<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private final GatewayKit kit =
      GatewayKit.start(
          ExtensionOptions.defaults(null)
              .withHostedModules(
                  sha256 -> {
                    fetches.incrementAndGet();
                    var bytes = controlPlane.get(sha256);
                    return bytes == null
                        ? Future.failedFuture("no module " + sha256)
                        : Future.succeededFuture(Buffer.buffer(bytes));
                  }));

  @AfterEach
  void close() {
    kit.close();
  }

  @Test
  void anUploadedModuleIsFetchedOnceByDigestAndRunsForEveryCall() {
    var sha256 = ArtifactCheck.sha256(MODULE);
    controlPlane.put(sha256, MODULE);
    given(Extension.FailurePolicy.FAIL_CLOSED, Extension.Artifact.hosted(sha256));

    var first = kit.get("/hosted");
    var second = kit.get("/hosted");

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body()).isEqualTo("{\"ran\":\"platform\"}");
    assertThat(second.body()).isEqualTo("{\"ran\":\"platform\"}");
    assertThat(fetches.get()).isEqualTo(1);
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void bytesThatAreNotTheNamedModuleAreNeverRun() {
    var sha256 = ArtifactCheck.sha256(MODULE);
    controlPlane.put(sha256, WatModules.answering("{\"response\":{\"status\":418}}"));
    given(Extension.FailurePolicy.FAIL_CLOSED, Extension.Artifact.hosted(sha256));

    var reply = kit.get("/hosted");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.problemType()).isEqualTo("extension-version-unavailable");
  }

  @Test
  void aVersionWithoutAModuleOnAnExtensionWithoutEndpointFailsByItsPolicy() {
    given(Extension.FailurePolicy.FAIL_OPEN, null);

    var reply = kit.get("/hosted");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(kit.upstream.next().uri()).isEqualTo("/b");
    assertThat(fetches.get()).isZero();
  }

  private void given(Extension.FailurePolicy policy, Extension.Artifact artifact) {
    kit.extensions(
        TestExtensions.of(
            "acme",
            "hosted",
            "request",
            null,
            null,
            policy,
            new Extension.Version("v1", 1, artifact)));
    kit.routes(route("hosted", "/hosted", kit.target("/b")).flow("ext:acme/hosted").build());
  }
}
