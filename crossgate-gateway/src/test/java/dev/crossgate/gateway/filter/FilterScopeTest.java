package dev.crossgate.gateway.filter;

import static dev.crossgate.gateway.kit.GatewayKit.filter;
import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.filter.FilterRule.Kind;
import dev.crossgate.filter.FilterRule.Scope;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.endpoint.GatewayEndpoint;
import dev.crossgate.gateway.kit.GatewayKit;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Scoped filter rules, with a stand-in for the {@code /_transfers} endpoint (it answers 201 with
 * the bytes it read): the issue's {@code BODY_SIZE 1000} rule, which made every transfer fail while
 * it was global, scoped to where it belongs.
 */
class FilterScopeTest {
  private static final String BODY = "x".repeat(2_000);

  private final GatewayEndpoint transfers =
      router ->
          router
              .post("/_transfers")
              .handler(BodyHandler.create())
              .handler(ctx -> ctx.response().setStatusCode(201).end("read " + ctx.body().length()));
  private final GatewayKit kit =
      GatewayKit.start(GatewayOptions.defaults().withEventLoops(1), List.of(transfers));

  @AfterEach
  void close() {
    kit.close();
  }

  private void givenRoutes() {
    kit.routes(
        route("rt_upload", "/upload", kit.target("/upload")).service("uploads").build(),
        route("rt_other", "/other", kit.target("/other")).service("others").build());
  }

  @Test
  void aRouteScopedBodySizeRuleLimitsItsRouteAndDoesNotTouchTransfers() {
    givenRoutes();
    kit.filters(filter("small", Kind.BODY_SIZE, "1000", Scope.ROUTE, "rt_upload"));

    var upload = kit.send(HttpMethod.POST, "/upload", BODY);
    var other = kit.send(HttpMethod.POST, "/other", BODY);
    var transfer = kit.send(HttpMethod.POST, "/_transfers", BODY);

    assertThat(upload.status()).isEqualTo(413);
    assertThat(upload.json()).containsEntry("rule", "small");
    assertThat(other.status()).isEqualTo(200);
    assertThat(transfer.status()).isEqualTo(201);
    assertThat(transfer.body()).isEqualTo("read 2000");
  }

  @Test
  void anEndpointScopedBodySizeRuleLimitsThatEndpointOnly() {
    givenRoutes();
    kit.filters(filter("small", Kind.BODY_SIZE, "1000", Scope.ENDPOINT, "/_transfers"));

    var transfer = kit.send(HttpMethod.POST, "/_transfers", BODY);
    var upload = kit.send(HttpMethod.POST, "/upload", BODY);

    assertThat(transfer.status()).isEqualTo(413);
    assertThat(transfer.json()).containsEntry("rule", "small");
    assertThat(upload.status()).isEqualTo(200);
  }

  @Test
  void aServiceScopedRuleAppliesToEveryRouteOfThatServiceOnly() {
    givenRoutes();
    kit.filters(filter("no-delete", Kind.METHOD, "DELETE", Scope.SERVICE, "uploads"));

    var upload = kit.send(HttpMethod.DELETE, "/upload/1", null);
    var other = kit.send(HttpMethod.DELETE, "/other/1", null);

    assertThat(upload.status()).isEqualTo(403);
    assertThat(other.status()).isEqualTo(200);
  }

  @Test
  void aGlobalRuleStillAppliesToEverythingTheBuiltInEndpointsIncluded() {
    givenRoutes();
    kit.filters(filter("small", Kind.BODY_SIZE, "1000"));

    var transfer = kit.send(HttpMethod.POST, "/_transfers", BODY);
    var upload = kit.send(HttpMethod.POST, "/upload", BODY);

    assertThat(transfer.status()).as("the rule's status").isEqualTo(403);
    assertThat(upload.status()).isEqualTo(403);
  }
}
