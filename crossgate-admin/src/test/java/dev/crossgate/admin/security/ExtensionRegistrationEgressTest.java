package dev.crossgate.admin.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.crossgate.admin.AdminKit;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.problem.LeakCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Registering an extension makes the control plane look at two tenant-chosen URLs: it checks the
 * endpoint and fetches each artifact. It used to fetch from anywhere, follow redirects, and answer
 * a mismatch with the SHA-256 of what it had fetched — a way to fingerprint internal answers. Each
 * test plays one attack and proves the refusal and that the internal service standing in for the
 * target received nothing.
 */
class ExtensionRegistrationEgressTest {
  /** The smallest valid WebAssembly module. */
  private static final byte[] EMPTY_MODULE = {0, 'a', 's', 'm', 1, 0, 0, 0};

  private final List<Service> services = new ArrayList<>();
  private AdminKit kit;

  private void start(EgressPolicy egress) throws Exception {
    kit = AdminKit.start("h2", egress);
    assertThat(kit.post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"ACME\"}").status())
        .isEqualTo(201);
  }

  @AfterEach
  void stop() throws Exception {
    services.forEach(s -> s.server.stop(0));
    kit.close();
  }

  @Test
  void anEndpointOnTheLinkLocalMetadataAddressIsRefusedAtRegistration() throws Exception {
    start(EgressPolicy.DEFAULT);

    var reply =
        kit.put(
            "/admin/tenants/acme/extensions/meta",
            spec("http://169.254.169.254/latest/meta-data/", "[]"));

    assertRefused(reply, "endpoint");
    assertThat(kit.get("/admin/tenants/acme/extensions/meta").status()).isEqualTo(404);
  }

  @Test
  void anEndpointOnAnIpv6LinkLocalAddressIsRefusedAtRegistration() throws Exception {
    start(EgressPolicy.DEFAULT);

    var reply = kit.put("/admin/tenants/acme/extensions/ll", spec("http://[fe80::1]/ext", "[]"));

    assertRefused(reply, "endpoint");
  }

  @Test
  void anArtifactOnLoopbackIsRefusedAndNeverFetched() throws Exception {
    start(EgressPolicy.DEFAULT);
    var internal = service("127.0.0.1", 200, EMPTY_MODULE, null);

    var reply =
        kit.put(
            "/admin/tenants/acme/extensions/art",
            spec(
                "http://93.184.215.14/ext",
                artifact(internal.url("/m.wasm"), ArtifactCheck.sha256(EMPTY_MODULE))));

    assertRefused(reply, "versions[0].artifact.url");
    assertThat(internal.requests.get()).isZero();
  }

  @Test
  void anArtifactRedirectToAnInternalAddressIsNotFollowed() throws Exception {
    start(EgressPolicy.allowing("127.0.0.1/32"));
    var internal = service("127.0.0.2", 200, EMPTY_MODULE, null);
    var redirector = service("127.0.0.1", 302, new byte[0], internal.url("/m.wasm"));

    var reply =
        kit.put(
            "/admin/tenants/acme/extensions/redir",
            spec(
                "http://127.0.0.1:9/ext",
                artifact(redirector.url("/m.wasm"), ArtifactCheck.sha256(EMPTY_MODULE))));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactly("versions[0].artifact");
    assertThat(LeakCheck.withoutRandomParts(reply.body()))
        .contains("could not be fetched")
        .doesNotContain("302");
    assertThat(redirector.requests.get()).isEqualTo(1);
    assertThat(internal.requests.get()).isZero();
  }

  @Test
  void aFetchedAnswerThatIsNotTheModuleIsRefusedWithoutItsDigestOrStatus() throws Exception {
    start(EgressPolicy.allowing("127.0.0.1/32"));
    var secret = "{\"aws_secret_access_key\":\"do-not-leak\"}".getBytes();
    var internal = service("127.0.0.1", 200, secret, null);
    var forbidden = service("127.0.0.1", 401, new byte[0], null);

    var mismatch =
        kit.put(
            "/admin/tenants/acme/extensions/fp",
            spec("http://127.0.0.1:9/ext", artifact(internal.url("/creds"), "0".repeat(64))));
    var unauthorized =
        kit.put(
            "/admin/tenants/acme/extensions/fp",
            spec("http://127.0.0.1:9/ext", artifact(forbidden.url("/creds"), "0".repeat(64))));

    assertThat(mismatch.status()).isEqualTo(400);
    assertThat(LeakCheck.withoutRandomParts(mismatch.body()))
        .doesNotContain(ArtifactCheck.sha256(secret))
        .doesNotContain("do-not-leak");
    assertThat(unauthorized.status()).isEqualTo(400);
    assertThat(LeakCheck.withoutRandomParts(unauthorized.body()))
        .contains("could not be fetched")
        .doesNotContain("401");
  }

  @Test
  void egressAllowAdmitsTheAllowedBlockButNeverTheControlPlanesOwnPort() throws Exception {
    start(EgressPolicy.allowing("127.0.0.1/32"));
    var store = service("127.0.0.1", 200, EMPTY_MODULE, null);
    var ownPort = kit.uri("/").getPort();

    var allowed =
        kit.put(
            "/admin/tenants/acme/extensions/ok",
            spec(
                "http://127.0.0.1:9/ext",
                artifact(store.url("/m.wasm"), ArtifactCheck.sha256(EMPTY_MODULE))));
    var self =
        kit.put(
            "/admin/tenants/acme/extensions/self",
            spec("http://127.0.0.1:" + ownPort + "/admin/tokens", "[]"));

    assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
    assertThat(store.requests.get()).isEqualTo(1);
    assertRefused(self, "endpoint");
  }

  // ---- helpers

  private static void assertRefused(AdminKit.Reply reply, String field) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(403);
    assertThat(reply.problemType()).isEqualTo("egress-refused");
    assertThat(reply.errorFields()).containsExactly(field);
  }

  private static String spec(String endpoint, String versionsOrArtifact) {
    var versions =
        versionsOrArtifact.equals("[]")
            ? "[{\"version\":\"v1\",\"weight\":1}]"
            : versionsOrArtifact;
    return "{\"point\":\"request\",\"endpoint\":\""
        + endpoint
        + "\",\"timeoutMs\":500,\"versions\":"
        + versions
        + "}";
  }

  private static String artifact(String url, String sha256) {
    return "[{\"version\":\"v1\",\"weight\":1,\"artifact\":{\"url\":\""
        + url
        + "\",\"sha256\":\""
        + sha256
        + "\"}}]";
  }

  /**
   * A service on {@code host} that counts requests and answers {@code status} with {@code body}.
   */
  private Service service(String host, int status, byte[] body, String location)
      throws IOException {
    var server = HttpServer.create(new InetSocketAddress(host, 0), 0);
    var service = new Service(server, host, new AtomicInteger());
    server.createContext(
        "/",
        exchange -> {
          service.requests.incrementAndGet();
          if (location != null) {
            exchange.getResponseHeaders().add("Location", location);
          }
          exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
          if (body.length > 0) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    server.start();
    services.add(service);
    return service;
  }

  private record Service(HttpServer server, String host, AtomicInteger requests) {
    String url(String path) {
      return "http://" + host + ":" + server.getAddress().getPort() + path;
    }
  }
}
