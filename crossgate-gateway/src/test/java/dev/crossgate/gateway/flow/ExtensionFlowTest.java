package dev.crossgate.gateway.flow;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.extension.Extension;
import dev.crossgate.gateway.extension.ExtensionOptions;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.TenantServer;
import dev.crossgate.gateway.kit.TenantServer.Answer;
import dev.crossgate.gateway.kit.WatModules;
import dev.crossgate.json.Json;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flows with tenant extensions end to end: a real tenant server and a real upstream on loopback,
 * WebAssembly modules assembled from WAT in the tests.
 */
class ExtensionFlowTest {
  private static final String VERSION = "X-Crossgate-Extension-Version";

  /** The platform's version picks draw these in turn. */
  private static final double[] QUARTERS = {0, 0.25, 0.5, 0.75};

  private final AtomicInteger draws = new AtomicInteger();

  @TempDir Path moduleDir;

  private GatewayKit kit;
  private TenantServer tenant;
  private String key;

  @BeforeEach
  void start() {
    // the tenant's server (endpoints and artifacts) is on loopback: allowed here on purpose,
    // refused by default
    kit =
        GatewayKit.startWithLoopbackTenants(
            new ExtensionOptions(moduleDir, 64 * 1024, 64 * 1024, 16, 2, 3, Duration.ofMinutes(5))
                .withVersionPick(() -> QUARTERS[draws.getAndIncrement() % QUARTERS.length]));
    tenant = TenantServer.start(kit.vertx);
    key = kit.apiKey("acme");
  }

  @AfterEach
  void stop() {
    tenant.close();
    kit.close();
  }

  @Test
  void
      remotePreStepChangesTheRequestAndALocalWasmPostStepDecoratesTheResponseInTheTenantsVersion() {
    var decorateV2 = "{\"response\":{\"headers\":{\"x-decorated\":\"wasm-v2\"}}}";
    tenant.answer(
        "order.validate",
        call ->
            Answer.ok(
                "v2",
                """
        {"request":{"headers":{"x-validated":"yes"},"query":{"checked":"1"},"body":{"order":1,"validated":true}}}
        """));
    tenant.answer("order.decorate", call -> Answer.ok(decorateV2));
    kit.extensions(
        extension(
            "order.validate",
            "request",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of(),
            new Extension.Version("v1", 1, null),
            new Extension.Version("v2", 0, null)),
        extension(
            "order.decorate",
            "response",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of(),
            new Extension.Version(
                "v1",
                1,
                tenant.artifact(
                    "decorate-v1.wasm",
                    WatModules.answering(
                        "{\"response\":{\"headers\":{\"x-decorated\":\"wasm-v1\"}}}"))),
            new Extension.Version(
                "v2", 1, tenant.artifact("decorate-v2.wasm", WatModules.answering(decorateV2)))));
    kit.routes(
        route("orders", "/orders", kit.target("/backend"))
            .keyAuth()
            .flow("ext:order.validate", "proxy", "ext:order.decorate")
            .build());

    var first =
        kit.send(
            HttpMethod.POST,
            "/orders/1",
            "{\"order\":1}",
            "X-Api-Key",
            key,
            "Content-Type",
            "application/json");
    var second =
        kit.send(
            HttpMethod.POST,
            "/orders/1",
            "{\"order\":1}",
            "X-Api-Key",
            key,
            "Content-Type",
            "application/json");

    assertThat(first.status()).isEqualTo(200);
    assertThat(second.status()).isEqualTo(200);
    assertThat(first.header("x-decorated")).isEqualTo("wasm-v2");
    assertThat(second.header("x-decorated")).isEqualTo("wasm-v2");
    assertThat(second.header(VERSION)).isEqualTo("v2");
    var atUpstream = kit.upstream.next();
    assertThat(atUpstream.headers().get("x-validated")).isEqualTo("yes");
    assertThat(atUpstream.uri()).isEqualTo("/backend/1?checked=1");
    assertThat((Map<?, ?>) Json.read(atUpstream.body(), Map.class))
        .isEqualTo(Map.of("order", 1, "validated", true));
    assertThat(tenant.calls("order.validate")).hasSize(2);
    assertThat(
            tenant
                .calls("order.validate")
                .get(0)
                .input()
                .get("request")
                .get("body")
                .get("order")
                .asInt())
        .isEqualTo(1);
    // the first decorate call warmed the cache at the tenant; the second ran in-process
    assertThat(tenant.calls("order.decorate")).hasSize(1);
    assertThat(tenant.calls("order.decorate").get(0).versionHeader()).isEqualTo("v2");
    assertThat(tenant.fetches("decorate-v2.wasm")).isEqualTo(1);
    assertThat(
            moduleDir.resolve(
                tenant.artifact("decorate-v2.wasm", WatModules.answering(decorateV2)).sha256()
                    + ".wasm"))
        .exists();
  }

  @Test
  void everyStepOfARequestUsesOneVersionAndThePlatformPicksVersionsByWeight() {
    tenant.answer("pick", call -> Answer.ok(pickAnswer(call.versionHeader())));
    tenant.answer("stamp", call -> Answer.ok(stampAnswer(call.versionHeader())));
    kit.extensions(
        extension(
            "pick",
            "request",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of(),
            new Extension.Version(
                "v1", 3, tenant.artifact("pick-v1", WatModules.answering(pickAnswer("v1")))),
            new Extension.Version(
                "v2", 1, tenant.artifact("pick-v2", WatModules.answering(pickAnswer("v2"))))),
        extension(
            "stamp",
            "response",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of(),
            new Extension.Version(
                "v1", 1, tenant.artifact("stamp-v1", WatModules.answering(stampAnswer("v1")))),
            new Extension.Version(
                "v2", 1, tenant.artifact("stamp-v2", WatModules.answering(stampAnswer("v2"))))));
    kit.routes(
        route("pinned", "/pinned", kit.target("/b"))
            .keyAuth()
            .flow("ext:pick", "proxy", "ext:stamp")
            .build());
    var counts = new HashMap<String, Integer>();

    for (int i = 0; i < 100; i++) {
      var reply = kit.get("/pinned", "X-Api-Key", key);
      var atUpstream = kit.upstream.next();

      assertThat(reply.status()).isEqualTo(200);
      var version = reply.header(VERSION);
      assertThat(atUpstream.headers().get("x-pick")).isEqualTo(version);
      assertThat(reply.header("x-stamp")).isEqualTo(version);
      counts.merge(version, 1, Integer::sum);
    }

    // weights 3:1 and draws 0, 0.25, 0.5, 0.75 over and over: three of every four requests get v1
    assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("v1", 75, "v2", 25));
  }

  @Test
  void
      anExtensionWithoutDependenciesRunsInProcessAfterItsFirstCallAndOneWithDependenciesAlwaysAtTheTenant() {
    var answer = "{\"response\":{\"headers\":{\"x-free\":\"same\"},\"body\":{\"decorated\":true}}}";
    tenant.answer("free", call -> Answer.ok(answer));
    tenant.answer(
        "bound", call -> Answer.ok("{\"request\":{\"headers\":{\"x-bound\":\"remote\"}}}"));
    var module = WatModules.answering(answer);
    kit.extensions(
        extension(
            "free",
            "response",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of(),
            new Extension.Version("v1", 1, tenant.artifact("free", module))),
        extension(
            "bound",
            "request",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of("free"),
            new Extension.Version("v1", 1, tenant.artifact("bound", module))));
    kit.routes(
        route("free", "/free", kit.target("/b")).keyAuth().flow("proxy", "ext:free").build(),
        route("bound", "/bound", kit.target("/b")).keyAuth().flow("ext:bound").build());

    var replies =
        List.of(
            kit.get("/free", "X-Api-Key", key),
            kit.get("/free", "X-Api-Key", key),
            kit.get("/free", "X-Api-Key", key));
    for (int i = 0; i < 3; i++) {
      assertThat(kit.get("/bound", "X-Api-Key", key).status()).isEqualTo(200);
    }

    assertThat(replies)
        .allSatisfy(
            r -> {
              assertThat(r.status()).isEqualTo(200);
              assertThat(r.header("x-free")).isEqualTo("same");
              assertThat(r.body()).isEqualTo("{\"decorated\":true}");
            });
    assertThat(tenant.calls("free")).hasSize(1);
    assertThat(tenant.calls("bound")).hasSize(3);
    assertThat(tenant.fetches("bound")).isZero();
  }

  @Test
  void aTenantThatDoesNotAnswerInTimeFailsClosedWith504() {
    tenant.answer("slow", call -> null);
    kit.extensions(
        extension(
            "slow",
            "request",
            Extension.FailurePolicy.FAIL_CLOSED,
            200,
            null,
            List.of(),
            new Extension.Version("v1", 1, null)));
    kit.routes(
        route("slow", "/slow", kit.target("/b")).keyAuth().flow("ext:slow", "proxy").build());

    var reply = kit.get("/slow", "X-Api-Key", key);

    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.problemType()).isEqualTo("extension-timeout");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aTenantAnswering500IsSkippedWhenItsPolicyFailsOpen() {
    tenant.answer("flaky", call -> new Answer(500, null, "{}"));
    kit.extensions(
        extension(
            "flaky",
            "request",
            Extension.FailurePolicy.FAIL_OPEN,
            List.of(),
            new Extension.Version("v1", 1, null)));
    kit.routes(
        route("flaky", "/flaky", kit.target("/b")).keyAuth().flow("ext:flaky", "proxy").build());

    var reply = kit.get("/flaky", "X-Api-Key", key);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("upstream saw /b");
  }

  @Test
  void badJsonFromTheTenantFailsClosedWith502() {
    tenant.answer("garbled", call -> Answer.ok("this is not json"));
    kit.extensions(
        extension(
            "garbled",
            "request",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of(),
            new Extension.Version("v1", 1, null)));
    kit.routes(
        route("garbled", "/garbled", kit.target("/b"))
            .keyAuth()
            .flow("ext:garbled", "proxy")
            .build());

    var reply = kit.get("/garbled", "X-Api-Key", key);

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.problemType()).isEqualTo("extension-failed");
    assertThat(reply.json().get("detail").toString()).contains("not valid JSON");
  }

  @Test
  void aTrappingModuleAnswersTheRegisteredDefaultResponse() {
    kit.extensions(
        extension(
            "trap",
            "request",
            Extension.FailurePolicy.DEFAULT_RESPONSE,
            1_000,
            new Extension.DefaultResponse(
                503,
                Map.of("retry-after", "5"),
                Json.mapper().createObjectNode().put("fallback", true)),
            List.of(),
            new Extension.Version("v1", 1, tenant.artifact("trap", WatModules.trapping()))));
    kit.routes(
        route("trap", "/trap", kit.target("/b")).keyAuth().flow("ext:trap", "proxy").build());
    assertThat(kit.get("/trap", "X-Api-Key", key).status())
        .as("the first call, at the tenant")
        .isEqualTo(200);

    var reply = kit.get("/trap", "X-Api-Key", key);

    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.header("retry-after")).isEqualTo("5");
    assertThat(reply.body()).isEqualTo("{\"fallback\":true}");
    assertThat(tenant.calls("trap")).hasSize(1);
  }

  @Test
  void aModuleAskingForMoreMemoryThanAllowedIsNeverRunAndTheExtensionStaysAtTheTenant() {
    tenant.answer(
        "greedy", call -> Answer.ok("{\"request\":{\"headers\":{\"x-greedy\":\"tenant\"}}}"));
    kit.extensions(
        extension(
            "greedy",
            "request",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of(),
            new Extension.Version(
                "v1", 1, tenant.artifact("greedy", WatModules.needingPages(17)))));
    kit.routes(
        route("greedy", "/greedy", kit.target("/b")).keyAuth().flow("ext:greedy", "proxy").build());

    for (int i = 0; i < 3; i++) {
      assertThat(kit.get("/greedy", "X-Api-Key", key).status()).isEqualTo(200);
      assertThat(kit.upstream.next().headers().get("x-greedy")).isEqualTo("tenant");
    }

    assertThat(tenant.calls("greedy")).hasSize(3);
    assertThat(tenant.fetches("greedy"))
        .as("a refused module is not fetched on every call")
        .isEqualTo(1);
  }

  @Test
  void aModuleThatNeverReturnsIsInterruptedAtItsTimeout() {
    kit.extensions(
        extension(
            "loop",
            "request",
            Extension.FailurePolicy.FAIL_CLOSED,
            300,
            null,
            List.of(),
            new Extension.Version("v1", 1, tenant.artifact("loop", WatModules.looping()))));
    kit.routes(
        route("loop", "/loop", kit.target("/b")).keyAuth().flow("ext:loop", "proxy").build());
    kit.get("/loop", "X-Api-Key", key);

    var reply = kit.get("/loop", "X-Api-Key", key);
    var afterwards = kit.get("/loop", "X-Api-Key", key);

    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.problemType()).isEqualTo("extension-timeout");
    assertThat(afterwards.status())
        .as("the interrupted worker serves the next call")
        .isEqualTo(504);
  }

  @Test
  void aLaterStepWhoseExtensionLacksThePinnedVersionFailsByItsPolicy() {
    tenant.answer("first", call -> Answer.ok("v2", "{\"continue\":true}"));
    kit.extensions(
        extension(
            "first",
            "request",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of(),
            new Extension.Version("v1", 1, null),
            new Extension.Version("v2", 1, null)),
        extension(
            "old",
            "request",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of(),
            new Extension.Version("v1", 1, null)));
    kit.routes(
        route("mixed", "/mixed", kit.target("/b"))
            .keyAuth()
            .flow("ext:first", "ext:old", "proxy")
            .build());

    var reply = kit.get("/mixed", "X-Api-Key", key);

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.problemType()).isEqualTo("extension-version-unavailable");
    assertThat(reply.json().get("detail").toString()).contains("has no version v2");
    assertThat(tenant.calls("old")).isEmpty();
  }

  @Test
  void aTenantThatKeepsFailingIsCircuitBrokenAndNotCalled() {
    tenant.answer("down", call -> new Answer(500, null, "{}"));
    kit.extensions(
        extension(
            "down",
            "request",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of(),
            new Extension.Version("v1", 1, null)));
    kit.routes(
        route("down", "/down", kit.target("/b")).keyAuth().flow("ext:down", "proxy").build());
    for (int i = 0; i < 3; i++) {
      assertThat(kit.get("/down", "X-Api-Key", key).problemType()).isEqualTo("extension-failed");
    }

    var reply = kit.get("/down", "X-Api-Key", key);

    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.problemType()).isEqualTo("extension-unavailable");
    assertThat(tenant.calls("down")).hasSize(3);
    assertThat(kit.gateway().metrics().scrape())
        .contains("crossgate_extension_circuit_open{tenant=\"acme\"} 1.0");
  }

  @Test
  void aRequestStepMayAnswerItselfAndTheUpstreamIsNotCalled() {
    tenant.answer(
        "deny",
        call -> Answer.ok("{\"response\":{\"status\":403,\"body\":{\"denied\":\"no stock\"}}}"));
    kit.extensions(
        extension(
            "deny",
            "request",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of(),
            new Extension.Version("v1", 1, null)));
    kit.routes(
        route("deny", "/deny", kit.target("/b")).keyAuth().flow("ext:deny", "proxy").build());

    var reply = kit.get("/deny", "X-Api-Key", key);

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.body()).isEqualTo("{\"denied\":\"no stock\"}");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aRequestBodyAboveTheExtensionLimitIsRefusedWith413() {
    kit.extensions(
        extension(
            "look",
            "request",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of(),
            new Extension.Version("v1", 1, null)));
    kit.routes(
        route("look", "/look", kit.target("/b")).keyAuth().flow("ext:look", "proxy").build());

    var reply = kit.send(HttpMethod.POST, "/look", "x".repeat(70 * 1024), "X-Api-Key", key);

    assertThat(reply.status()).isEqualTo(413);
    assertThat(tenant.calls("look")).isEmpty();
  }

  @Test
  void anUpstreamResponseAboveTheExtensionLimitIsAnswered502() {
    kit.upstream.respondWith(r -> r.response().end("y".repeat(70 * 1024)));
    kit.extensions(
        extension(
            "after",
            "response",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of(),
            new Extension.Version("v1", 1, null)));
    kit.routes(route("big", "/big", kit.target("/b")).keyAuth().flow("proxy", "ext:after").build());

    var reply = kit.get("/big", "X-Api-Key", key);

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.problemType()).isEqualTo("extension-body-too-large");
  }

  @Test
  void onDemandExtensionsOpenAConnectionPerCallAndPooledOnesReuseOne() {
    kit.extensions(
        extension(
                "each",
                "request",
                Extension.FailurePolicy.FAIL_CLOSED,
                List.of(),
                new Extension.Version("v1", 1, null))
            .withConnection(Extension.Connection.ON_DEMAND));
    kit.routes(
        route("each", "/each", kit.target("/b")).keyAuth().flow("ext:each", "proxy").build());
    for (int i = 0; i < 3; i++) {
      assertThat(kit.get("/each", "X-Api-Key", key).status()).isEqualTo(200);
    }
    var onDemand = tenant.connections();
    kit.extensions(
        extension(
            "kept",
            "request",
            Extension.FailurePolicy.FAIL_CLOSED,
            List.of(),
            new Extension.Version("v1", 1, null)));
    kit.routes(
        route("kept", "/kept", kit.target("/b")).keyAuth().flow("ext:kept", "proxy").build());

    for (int i = 0; i < 3; i++) {
      assertThat(kit.get("/kept", "X-Api-Key", key).status()).isEqualTo(200);
    }

    assertThat(onDemand).isEqualTo(3);
    assertThat(tenant.connections() - onDemand).isEqualTo(1);
  }

  // ---- registry entries

  private Extension extension(
      String id,
      String point,
      Extension.FailurePolicy policy,
      List<String> dependsOn,
      Extension.Version... versions) {
    return extension(id, point, policy, 2_000, null, dependsOn, versions);
  }

  private Extension extension(
      String id,
      String point,
      Extension.FailurePolicy policy,
      long timeoutMs,
      Extension.DefaultResponse defaultResponse,
      List<String> dependsOn,
      Extension.Version... versions) {
    return new Extension(
        "acme",
        id,
        point,
        tenant.endpoint(id),
        Extension.Protocol.HTTP,
        Extension.Connection.POOLED,
        timeoutMs,
        policy,
        defaultResponse,
        List.of(versions),
        dependsOn,
        null,
        Instant.EPOCH,
        Instant.EPOCH,
        1);
  }

  private static String pickAnswer(String version) {
    return "{\"request\":{\"headers\":{\"x-pick\":\"" + version + "\"}}}";
  }

  private static String stampAnswer(String version) {
    return "{\"response\":{\"headers\":{\"x-stamp\":\"" + version + "\"}}}";
  }
}
