package dev.crossgate.gateway.tls;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.config.TrafficTls;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.task.TaskOptions;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.store.TestDatabases;
import dev.crossgate.tenant.TenantCertificate;
import dev.crossgate.tls.TestCertificates;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client certificates on the traffic port. With {@code --gateway-tls-client-auth required} a client
 * without a certificate the client CA signed fails the TLS handshake (no HTTP status at all); with
 * {@code request} it connects, and routes answer 401 problems as for a missing key.
 */
class ClientCertificateTest {
  @TempDir Path dir;

  private final TestCertificates.Authority serverCa = TestCertificates.authority("Server CA");
  private final TestCertificates.Authority clientCa = TestCertificates.authority("Client CA");
  private final TestCertificates.Issued billing = clientCa.client("CN=billing,O=Acme");
  private final TestCertificates.Issued ops = clientCa.client("CN=ops,O=Globex");
  private final TestCertificates.Issued stranger = clientCa.client("CN=stranger,O=Nobody");
  private GatewayKit kit;
  private TestDatabases.Handle db;

  @AfterEach
  void close() {
    if (kit != null) {
      kit.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  void requiredClientAuthFailsTheHandshakeOfAClientWithoutACertificateOrWithOneFromAnotherCa() {
    start(TrafficTls.ClientAuth.REQUIRED, GatewayServices.NONE);
    kit.routes(route("open", "/open", kit.target("/o")).build());
    var foreign = TestCertificates.authority("Other CA").client("CN=billing,O=Acme");

    var withCertificate = get(client(billing), "/open");

    assertThat(withCertificate.status()).isEqualTo(200);
    assertThatThrownBy(() -> get(client(null), "/open")).hasMessageContaining("SSL");
    assertThatThrownBy(() -> get(client(foreign), "/open")).hasMessageContaining("SSL");
    kit.upstream.next();
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aRegisteredCertificateIsItsTenantOnKeyAndMtlsRoutesAndAnUnregisteredOneFromTheSameCaIsNot() {
    start(TrafficTls.ClientAuth.REQUEST, GatewayServices.NONE);
    kit.routes(
        route("k", "/k", kit.target("/k")).keyAuth().build(),
        route("m", "/m", kit.target("/m")).mtlsAuth().forwardClientCertSubject().build());
    kit.clientCertificate("acme", TenantCertificate.Kind.SUBJECT, "CN=billing, O=Acme");
    var key = kit.apiKey("acme");

    var keyRouteByCertificate = get(client(billing), "/k");
    var mtlsRouteByCertificate =
        get(client(billing), "/m", "X-Client-Cert-Subject", "CN=admin,O=Forged");
    var mtlsRouteByKey = get(client(null), "/m", "X-Api-Key", key);
    var keyRouteByStranger = get(client(stranger), "/k");
    var mtlsRouteByStranger = get(client(stranger), "/m");

    assertThat(keyRouteByCertificate.status()).isEqualTo(200);
    assertThat(kit.upstream.next().headers().contains("X-Client-Cert-Subject")).isFalse();
    assertThat(mtlsRouteByCertificate.status()).isEqualTo(200);
    assertThat(kit.upstream.next().headers().getAll("X-Client-Cert-Subject"))
        .containsExactly("CN=billing,O=Acme");
    assertThat(mtlsRouteByKey.status()).isEqualTo(401);
    assertThat(mtlsRouteByKey.json().get("detail")).isEqualTo("a client certificate is required");
    assertThat(keyRouteByStranger.status()).isEqualTo(401);
    assertThat(mtlsRouteByStranger.status()).isEqualTo(401);
    assertThat(mtlsRouteByStranger.json().get("detail"))
        .isEqualTo("the client certificate is not registered to a tenant");
    assertThat(mtlsRouteByStranger.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aCertificateActsAsItsOwnTenantOnlyAndADisabledTenantsCertificateIsRefused() {
    db = TestDatabases.open("h2");
    start(
        TrafficTls.ClientAuth.REQUEST,
        new GatewayServices(db.database(), TaskOptions.defaults(dir)));
    kit.routes(route("def", "/def", kit.target("/analyse")).async().mtlsAuth().build());
    kit.clientCertificate("acme", TenantCertificate.Kind.SUBJECT, "CN=billing,O=Acme");
    kit.clientCertificate(
        "globex",
        TenantCertificate.Kind.SPKI_SHA256,
        TenantCertificate.spkiSha256(ops.certificate()));

    var accepted =
        kit.send(
            client(billing),
            HttpMethod.POST,
            "/async/def",
            "{}",
            "Content-Type",
            "application/json");
    assertThat(kit.upstream.next().headers().get(CrossgateHeaders.RESULT_URL)).isNotNull();
    var taskId = accepted.json().get("taskId").toString();
    var byOwner = get(client(billing), "/_tasks/" + taskId);
    var byOtherTenant = get(client(ops), "/_tasks/" + taskId);
    kit.tenantEnabled("acme", false);
    var disabled = get(client(billing), "/_tasks/" + taskId);

    assertThat(accepted.status()).isEqualTo(202);
    assertThat(byOwner.status()).isEqualTo(200);
    assertThat(byOtherTenant.status()).isEqualTo(404);
    assertThat(disabled.status()).isEqualTo(403);
    assertThat(disabled.problemType()).isEqualTo("tenant-disabled");
  }

  private void start(TrafficTls.ClientAuth clientAuth, GatewayServices services) {
    var server = serverCa.server("127.0.0.1").write(dir, "server");
    var ca = dir.resolve("client-ca.pem");
    clientCa.writeCert(dir, "client-ca");
    kit =
        GatewayKit.start(
            GatewayOptions.defaults().withEventLoops(1),
            services.withTls(
                TrafficTls.of(List.of(new TrafficTls.Pair(server.cert(), server.key())), 0)
                    .withClientAuth(ca, clientAuth)));
  }

  private HttpClient client(TestCertificates.Issued certificate) {
    return kit.httpsClient(serverCa.certPem(), certificate, HttpVersion.HTTP_1_1);
  }

  private GatewayKit.Reply get(HttpClient client, String uri, String... headers) {
    return kit.send(client, HttpMethod.GET, uri, null, headers);
  }
}
