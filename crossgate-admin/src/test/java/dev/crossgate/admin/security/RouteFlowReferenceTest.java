package dev.crossgate.admin.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.admin.AdminKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A route's flow may only name extensions that exist, under the tenant that registered them: an id
 * that nobody (or somebody else) registers later must not start receiving the route's traffic.
 */
class RouteFlowReferenceTest {
  private static AdminKit kit;

  @BeforeAll
  static void start() throws Exception {
    // the registered extension names a loopback endpoint, which the egress policy must admit here
    kit = AdminKit.start("h2", dev.crossgate.egress.EgressPolicy.allowing("127.0.0.1/32"));
    assertThat(kit.post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"acme\"}").status())
        .isEqualTo(201);
    assertThat(
            kit.put(
                    "/admin/tenants/acme/extensions/check",
                    "{\"point\":\"request\","
                        + "\"endpoint\":\"http://127.0.0.1:9/check\",\"timeoutMs\":500,\"failurePolicy\":\"FAIL_CLOSED\","
                        + "\"versions\":[{\"version\":\"v1\",\"weight\":1}]}")
                .status())
        .isEqualTo(200);
  }

  @AfterAll
  static void stop() throws Exception {
    kit.close();
  }

  @Test
  void aRouteNamingAnUnregisteredExtensionIsRefusedAndNothingIsLogged() throws Exception {
    var before = kit.get("/readyz").json().path("revision").asLong();

    var reply = kit.post("/admin/routes", route("/squat", "\"ext:acme/not-yet\", \"proxy\"", null));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactly("flow[0]");
    assertThat(kit.get("/readyz").json().path("revision").asLong()).isEqualTo(before);
  }

  @Test
  void aKeylessRouteMustNameTheExtensionsTenant() throws Exception {
    var reply = kit.post("/admin/routes", route("/anon", "\"ext:check\", \"proxy\"", null));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactly("flow[0]");
    assertThat(reply.body()).contains("ext:<tenant>/check");
  }

  @Test
  void namedExtensionsAndCallerScopedStepsOnKeyRoutesAreAccepted() throws Exception {
    var named = kit.post("/admin/routes", route("/named", "\"ext:acme/check\", \"proxy\"", null));
    var scoped = kit.post("/admin/routes", route("/scoped", "\"ext:check\", \"proxy\"", "KEY"));

    assertThat(named.status()).isEqualTo(201);
    assertThat(scoped.status()).isEqualTo(201);
  }

  private static String route(String path, String flow, String auth) {
    return "{\"service\":\"svc\",\"sourcePath\":\""
        + path
        + "\",\"targetUrl\":\"http://upstream.example/\","
        + "\"flow\":["
        + flow
        + "]"
        + (auth == null ? "" : ",\"auth\":\"" + auth + "\"")
        + "}";
  }
}
