package dev.crossgate.gateway.flow;

import static dev.crossgate.gateway.kit.ExtensionProtoSchema.changeRequest;
import static dev.crossgate.gateway.kit.ExtensionProtoSchema.changeResponse;
import static dev.crossgate.gateway.kit.ExtensionProtoSchema.map;
import static dev.crossgate.gateway.kit.ExtensionProtoSchema.proceed;
import static dev.crossgate.gateway.kit.ExtensionProtoSchema.string;
import static dev.crossgate.gateway.kit.ExtensionProtoSchema.text;
import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DynamicMessage;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.extension.Extension;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.GrpcTenant;
import dev.crossgate.gateway.kit.TenantServer;
import dev.crossgate.gateway.kit.TestExtensions;
import dev.crossgate.json.Json;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code protocol: GRPC}: the platform calls a tenant's extension as the unary {@code Call} of
 * docs/extension.proto, here served by a real grpc-java server on loopback whose messages are
 * protobuf-java's own, so the platform's hand-written framing and codec are checked against an
 * independent implementation.
 */
class GrpcExtensionTest {
  private static final int CONCURRENT = 10;

  /**
   * The timeout of the steps whose tenant never answers: long enough for a cold first call to reach
   * the server (it records the call), short enough to keep the test quick.
   */
  private static final long DEADLINE_MS = 1_500;

  private GatewayKit kit;
  private GrpcTenant tenant;

  private void start(
      EgressPolicy egress, BiConsumer<GrpcTenant.Call, StreamObserver<DynamicMessage>> handler) {
    kit = GatewayKit.start(GatewayOptions.defaults().withEventLoops(1).withEgress(egress));
    tenant = GrpcTenant.start(handler);
  }

  /** A tenant on loopback, which the egress policy admits here on purpose. */
  private void start(BiConsumer<GrpcTenant.Call, StreamObserver<DynamicMessage>> handler) {
    start(EgressPolicy.allowing("127.0.0.1/32"), handler);
  }

  private static BiConsumer<GrpcTenant.Call, StreamObserver<DynamicMessage>> answering(
      DynamicMessage answer) {
    return (call, observer) -> {
      observer.onNext(answer);
      observer.onCompleted();
    };
  }

  private static BiConsumer<GrpcTenant.Call, StreamObserver<DynamicMessage>> failing(
      Status status) {
    return (call, observer) -> observer.onError(status.asException());
  }

  /** Never answers: the call runs into its deadline. */
  private static final BiConsumer<GrpcTenant.Call, StreamObserver<DynamicMessage>> SILENT =
      (call, observer) -> {};

  @AfterEach
  void stop() {
    if (tenant != null) {
      tenant.close();
    }
    kit.close();
  }

  @Test
  void aRequestStepAtAGrpcTenantChangesTheRequestTheUpstreamSees() {
    start(
        answering(
            changeRequest(
                Map.of("x-checked", "yes"),
                List.of("x-drop-me"),
                Map.of("checked", "1"),
                "{\"order\":1,\"checked\":true}")));
    givenStep("request", Extension.FailurePolicy.FAIL_CLOSED, 2_000, Extension.Connection.POOLED);

    var reply =
        kit.send(
            HttpMethod.POST,
            "/orders/1?dry=1",
            "{\"order\":1}",
            "Content-Type",
            "application/json",
            "X-Drop-Me",
            "1");

    assertThat(reply.status()).isEqualTo(200);
    var atUpstream = kit.upstream.next();
    assertThat(atUpstream.headers().get("x-checked")).isEqualTo("yes");
    assertThat(atUpstream.headers().contains("x-drop-me")).isFalse();
    assertThat(atUpstream.uri()).isEqualTo("/b/1?dry=1&checked=1");
    assertThat((Map<?, ?>) Json.read(atUpstream.body(), Map.class))
        .isEqualTo(Map.of("order", 1, "checked", true));
    var call = tenant.calls().get(0);
    var seen = call.request();
    assertThat(string(seen, "tenant")).isEqualTo("acme");
    assertThat(string(seen, "extension")).isEqualTo("check");
    assertThat(string(seen, "point")).isEqualTo("request");
    assertThat(string(seen, "version")).as("the tenant may choose").isEmpty();
    assertThat(string(seen, "request_id")).isNotEmpty().isEqualTo(call.header("x-request-id"));
    assertThat(string(seen, "request.method")).isEqualTo("POST");
    assertThat(string(seen, "request.path")).isEqualTo("/orders/1");
    assertThat(map(seen, "request.headers")).containsEntry("x-drop-me", "1");
    assertThat(map(seen, "request.query")).isEqualTo(Map.of("dry", "1"));
    assertThat(text(seen, "request.body")).isEqualTo("{\"order\":1}");
    assertThat(seen.hasField(seen.getDescriptorForType().findFieldByName("response"))).isFalse();
    assertThat(call.header("content-type")).isEqualTo("application/grpc");
  }

  @Test
  void aResponseStepAtAGrpcTenantChangesTheResponseTheCallerSees() {
    start(answering(changeResponse(201, Map.of("x-decorated", "grpc"), "decorated")));
    givenStep("response", Extension.FailurePolicy.FAIL_CLOSED, 2_000, Extension.Connection.POOLED);

    var reply = kit.get("/orders/7");

    assertThat(reply.status()).isEqualTo(201);
    assertThat(reply.header("x-decorated")).isEqualTo("grpc");
    assertThat(reply.body()).isEqualTo("decorated");
    var seen = tenant.calls().get(0).request();
    assertThat(string(seen, "point")).isEqualTo("response");
    assertThat(seen.getField(seen.getDescriptorForType().findFieldByName("response")))
        .satisfies(
            response -> {
              var r = (DynamicMessage) response;
              assertThat((Integer) r.getField(r.getDescriptorForType().findFieldByName("status")))
                  .isEqualTo(200);
              assertThat(text(r, "body")).isEqualTo("upstream saw /b/7");
            });
  }

  @Test
  void aBodyAGrpcStepGivesIsJsonToALaterJsonStepWhenItsContentTypeSaysSo() {
    start(
        answering(
            changeRequest(
                Map.of("content-type", "application/json"),
                List.of(),
                Map.of(),
                "{\"order\":1,\"checked\":true}")));
    var jsonTenant = TenantServer.start(kit.vertx);
    try {
      jsonTenant.answer("after", call -> TenantServer.Answer.ok("{\"continue\":true}"));
      kit.extensions(
          extension(
              "request",
              Extension.FailurePolicy.FAIL_CLOSED,
              null,
              2_000,
              Extension.Connection.POOLED),
          TestExtensions.remote(
              "acme", "after", "request", jsonTenant.endpoint("after"), Extension.Protocol.HTTP));
      kit.routes(
          route("orders", "/orders", kit.target("/b"))
              .flow("ext:acme/check", "ext:acme/after", "proxy")
              .build());

      var reply = kit.send(HttpMethod.POST, "/orders/1", "plain", "Content-Type", "text/plain");

      assertThat(reply.status()).isEqualTo(200);
      var body = jsonTenant.calls("after").get(0).input().get("request").get("body");
      assertThat(body.isObject()).as("the JSON contract's body: %s", body).isTrue();
      assertThat(body.get("checked").asBoolean()).isTrue();
      assertThat(kit.upstream.next().body()).isEqualTo("{\"order\":1,\"checked\":true}");
    } finally {
      jsonTenant.close();
    }
  }

  @Test
  void aGrpcTenantPastItsDeadlineFailsClosedWith504AndWasToldTheDeadline() {
    start(SILENT);
    givenStep(
        "request", Extension.FailurePolicy.FAIL_CLOSED, DEADLINE_MS, Extension.Connection.POOLED);

    var reply = kit.get("/orders/1");

    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.problemType()).isEqualTo("extension-timeout");
    assertThat(kit.upstream.receivedNothing()).isTrue();
    var call = tenant.calls().get(0);
    // what was left of the step's time when the call was sent, in whole milliseconds
    assertThat(call.header("grpc-timeout")).matches("[0-9]{1,4}m");
    assertThat(Long.parseLong(call.header("grpc-timeout").replace("m", "")))
        .isBetween(1L, DEADLINE_MS);
    assertThat(call.deadlineMs()).isNotNull().isBetween(0L, DEADLINE_MS);
  }

  @Test
  void aGrpcTenantPastItsDeadlineIsSkippedWhenItsPolicyFailsOpen() {
    start(SILENT);
    givenStep(
        "request", Extension.FailurePolicy.FAIL_OPEN, DEADLINE_MS, Extension.Connection.POOLED);

    var reply = kit.get("/orders/1");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("upstream saw /b/1");
    assertThat(tenant.calls()).hasSize(1);
  }

  @Test
  void aDeadlineExceededStatusFromTheTenantIsATimeout() {
    start(failing(Status.DEADLINE_EXCEEDED.withDescription("too slow")));
    givenStep("request", Extension.FailurePolicy.FAIL_CLOSED, 2_000, Extension.Connection.POOLED);

    var reply = kit.get("/orders/1");

    assertThat(reply.status()).isEqualTo(504);
    assertThat(reply.problemType()).isEqualTo("extension-timeout");
    assertThat(reply.body()).contains("DEADLINE_EXCEEDED").doesNotContain("too slow");
  }

  @Test
  void aNonOkStatusFailsClosedNamingTheCodeButNotTheTenantsMessage() {
    start(failing(Status.PERMISSION_DENIED.withDescription("row 42 of table acme_internal")));
    givenStep("request", Extension.FailurePolicy.FAIL_CLOSED, 2_000, Extension.Connection.POOLED);

    var reply = kit.get("/orders/1");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.problemType()).isEqualTo("extension-failed");
    assertThat(reply.json().get("detail").toString())
        .contains("PERMISSION_DENIED")
        .doesNotContain("acme_internal")
        .doesNotContain("42");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void anUnavailableTenantIsUnreachableAndItsDefaultResponseAnswers() {
    start(failing(Status.UNAVAILABLE));
    kit.extensions(
        extension(
            "request",
            Extension.FailurePolicy.DEFAULT_RESPONSE,
            new Extension.DefaultResponse(
                503, Map.of("retry-after", "5"), Json.mapper().createObjectNode().put("later", 1)),
            2_000,
            Extension.Connection.POOLED));
    kit.routes(
        route("orders", "/orders", kit.target("/b")).flow("ext:acme/check", "proxy").build());

    var reply = kit.get("/orders/1");

    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.header("retry-after")).isEqualTo("5");
    assertThat(reply.body()).isEqualTo("{\"later\":1}");
  }

  @Test
  void concurrentPooledGrpcCallsShareOneConnectionAndLaterCallsReuseIt() {
    var held = new CopyOnWriteArrayList<StreamObserver<DynamicMessage>>();
    start(
        (call, observer) -> {
          held.add(observer);
          // answer only once every call is open at the same time: they really overlap
          if (held.size() == CONCURRENT) {
            for (var o : held) {
              o.onNext(proceed());
              o.onCompleted();
            }
            held.clear();
          }
        });
    givenStep("request", Extension.FailurePolicy.FAIL_CLOSED, 5_000, Extension.Connection.POOLED);

    var first = callConcurrently();
    var later = callConcurrently();

    assertThat(first).hasSize(CONCURRENT).containsOnly(200);
    assertThat(later).hasSize(CONCURRENT).containsOnly(200);
    assertThat(tenant.calls()).hasSize(2 * CONCURRENT);
    assertThat(tenant.connections()).isEqualTo(1);
  }

  @Test
  void onDemandGrpcCallsOpenAConnectionEach() {
    start(answering(proceed()));
    givenStep(
        "request", Extension.FailurePolicy.FAIL_CLOSED, 2_000, Extension.Connection.ON_DEMAND);

    for (int i = 0; i < 3; i++) {
      assertThat(kit.get("/orders/" + i).status()).isEqualTo(200);
    }

    assertThat(tenant.calls()).hasSize(3);
    assertThat(tenant.connections()).isEqualTo(3);
  }

  @Test
  void aGrpcEndpointOnLoopbackIsNeverCalledUnderTheDefaultEgressPolicy() {
    start(EgressPolicy.DEFAULT, answering(proceed()));
    givenStep("request", Extension.FailurePolicy.FAIL_CLOSED, 2_000, Extension.Connection.POOLED);

    var reply = kit.get("/orders/1");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.problemType()).isEqualTo("extension-failed");
    assertThat(reply.json().get("detail").toString()).contains("could not be reached");
    assertThat(tenant.connections()).isZero();
    assertThat(tenant.calls()).isEmpty();
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  private List<Integer> callConcurrently() {
    var calls = new ArrayList<Future<Integer>>();
    for (int i = 0; i < CONCURRENT; i++) {
      calls.add(
          kit.client()
              .request(HttpMethod.GET, "/orders/" + i)
              .compose(r -> r.send())
              .compose(r -> r.body().map(b -> r.statusCode())));
    }
    GatewayKit.await(Future.join(calls));
    return calls.stream().map(Future::result).toList();
  }

  private void givenStep(
      String point,
      Extension.FailurePolicy policy,
      long timeoutMs,
      Extension.Connection connection) {
    kit.extensions(extension(point, policy, null, timeoutMs, connection));
    var flow =
        point.equals("request")
            ? route("orders", "/orders", kit.target("/b")).flow("ext:acme/check", "proxy")
            : route("orders", "/orders", kit.target("/b")).flow("proxy", "ext:acme/check");
    kit.routes(flow.build());
  }

  private Extension extension(
      String point,
      Extension.FailurePolicy policy,
      Extension.DefaultResponse defaultResponse,
      long timeoutMs,
      Extension.Connection connection) {
    return new Extension(
        "acme",
        "check",
        point,
        tenant.endpoint(),
        Extension.Protocol.GRPC,
        connection,
        timeoutMs,
        policy,
        defaultResponse,
        List.of(new Extension.Version("v1", 1, null)),
        List.of(),
        null,
        Instant.EPOCH,
        Instant.EPOCH,
        1);
  }
}
