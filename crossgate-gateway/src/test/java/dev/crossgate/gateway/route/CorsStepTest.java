package dev.crossgate.gateway.route;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.route.Route;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A route's CORS through the real chain, a browser's requests sent as a browser sends them. */
class CorsStepTest {
  private static final String APP = "https://app.example.com";
  private static final Route.Cors POLICY =
      new Route.Cors(
          List.of(APP),
          List.of("GET", "POST"),
          List.of("Content-Type", "X-Api-Key"),
          List.of("X-Request-Id"),
          120L,
          true);

  private GatewayKit kit;

  @BeforeEach
  void start() {
    kit = GatewayKit.start();
    kit.routes(
        route("orders", "/orders", kit.target("/backend")).keyAuth().cors(POLICY).build(),
        route("plain", "/plain", kit.target("/backend")).build());
  }

  @AfterEach
  void stop() {
    kit.close();
  }

  @Test
  void aPreflightFromAnAllowedOriginIsAnsweredByTheGatewayWithoutCredentials() {
    var reply =
        kit.send(
            HttpMethod.OPTIONS,
            "/orders/1",
            "",
            "Origin",
            APP,
            "Access-Control-Request-Method",
            "POST",
            "Access-Control-Request-Headers",
            "content-type, x-api-key");

    assertThat(reply.status()).isEqualTo(204);
    assertThat(reply.header("Access-Control-Allow-Origin")).isEqualTo(APP);
    assertThat(reply.header("Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(reply.header("Access-Control-Allow-Methods")).isEqualTo("POST");
    assertThat(reply.header("Access-Control-Allow-Headers")).isEqualTo("content-type, x-api-key");
    assertThat(reply.header("Access-Control-Max-Age")).isEqualTo("120");
    assertThat(reply.header("Vary")).contains("Origin");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aPreflightFromAnotherOriginOrForAnotherMethodOrHeaderIsRefusedWithNoAllowHeaders() {
    var origin =
        kit.send(
            HttpMethod.OPTIONS,
            "/orders/1",
            "",
            "Origin",
            "https://evil.example",
            "Access-Control-Request-Method",
            "POST");
    var method =
        kit.send(
            HttpMethod.OPTIONS,
            "/orders/1",
            "",
            "Origin",
            APP,
            "Access-Control-Request-Method",
            "DELETE");
    var header =
        kit.send(
            HttpMethod.OPTIONS,
            "/orders/1",
            "",
            "Origin",
            APP,
            "Access-Control-Request-Method",
            "POST",
            "Access-Control-Request-Headers",
            "x-internal-admin");

    for (var reply : List.of(origin, method, header)) {
      assertThat(reply.status()).isEqualTo(403);
      assertThat(reply.header("Content-Type")).startsWith("application/problem+json");
      assertThat(reply.header("Access-Control-Allow-Origin")).isNull();
    }
    assertThat(origin.body()).contains("origin https://evil.example is not allowed");
    assertThat(method.body()).contains("method DELETE is not allowed");
    assertThat(header.body()).contains("header x-internal-admin is not allowed");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void anActualRequestFromAnAllowedOriginMayBeReadByThePageAndOthersMayNot() {
    var key = kit.apiKey("acme");

    var allowed = kit.get("/orders/1", "Origin", APP, "X-Api-Key", key);
    var other = kit.get("/orders/1", "Origin", "https://evil.example", "X-Api-Key", key);
    var refusedByAuth = kit.get("/orders/1", "Origin", APP);

    assertThat(allowed.status()).isEqualTo(200);
    assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo(APP);
    assertThat(allowed.header("Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(allowed.header("Access-Control-Expose-Headers")).isEqualTo("X-Request-Id");
    assertThat(other.status()).isEqualTo(200);
    assertThat(other.header("Access-Control-Allow-Origin")).isNull();
    assertThat(refusedByAuth.status()).isEqualTo(401);
    assertThat(refusedByAuth.header("Access-Control-Allow-Origin"))
        .as("the page can read why it was refused")
        .isEqualTo(APP);
  }

  @Test
  void aRouteWithoutCorsRoutesOptionsAsBeforeAndAddsNoCorsHeaders() {
    var reply =
        kit.send(
            HttpMethod.OPTIONS,
            "/plain/1",
            "",
            "Origin",
            APP,
            "Access-Control-Request-Method",
            "POST");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("Access-Control-Allow-Origin")).isNull();
    assertThat(kit.upstream.next().method()).isEqualTo("OPTIONS");
  }
}
