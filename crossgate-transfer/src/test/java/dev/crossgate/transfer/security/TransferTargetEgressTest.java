package dev.crossgate.transfer.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.kit.FakeDnsServer;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.InternalService;
import dev.crossgate.gateway.task.TaskOptions;
import dev.crossgate.json.Json;
import dev.crossgate.problem.LeakCheck;
import dev.crossgate.store.TestDatabases;
import dev.crossgate.store.transfer.TransferRepository;
import dev.crossgate.transfer.TransferEndpoint;
import dev.crossgate.transfer.TransferOptions;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transfer's URL target is the tenant's choice of address. Without the egress policy, {@code POST
 * /_transfers} with a target on the cloud metadata address or on the Admin API's loopback port made
 * the gateway connect there and report the answer ("answered 401"): a port scanner and status
 * oracle inside the operator's network. Each test plays one attack against a real gateway node and
 * proves two things: the refusal (status, problem type) and that nothing leaked — the internal
 * service standing in for the target saw no connection at all, and the answer carries no status of
 * it.
 */
class TransferTargetEgressTest {
  private static final String REBINDING_NAME = "files.tenant.test";

  @TempDir Path dir;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private TestDatabases.Handle db;
  private TransferEndpoint transfers;
  private GatewayKit kit;
  private FakeDnsServer dns;
  private String acme;

  /**
   * A gateway node whose transfer endpoint and DNS follow {@code egress} and the fake DNS server.
   */
  private void start(EgressPolicy egress) throws Exception {
    db = TestDatabases.open("h2");
    dns = new FakeDnsServer(REBINDING_NAME, "93.184.215.14");
    var options = GatewayOptions.defaults().withEventLoops(1).withEgress(egress);
    // no DNS cache: each lookup reaches the fake server, as it would once a short TTL expired
    var resolver =
        GatewayServer.addressResolverOptions(options)
            .addServer("127.0.0.1:" + dns.port())
            .setCacheMaxTimeToLive(0)
            .setCacheNegativeTimeToLive(0)
            .setRotateServers(false);
    var settings =
        new TransferOptions(
            dir.resolve("transfers"),
            1024 * 1024,
            64L << 20,
            200L << 20,
            Duration.ofHours(1),
            Duration.ofHours(1),
            2,
            Clock.systemUTC());
    kit =
        GatewayKit.start(
            options,
            new GatewayServices(db.database(), TaskOptions.defaults(dir)),
            new VertxOptions().setAddressResolverOptions(resolver),
            "127.0.0.1",
            (vertx, config) -> {
              transfers =
                  TransferEndpoint.create(
                      vertx, new TransferRepository(db.database().dataSource()), settings, egress);
              return List.of(transfers);
            });
    acme = kit.apiKey("acme");
  }

  private InternalService internal(String host) {
    var service = InternalService.start(kit.vertx, host);
    closing.add(service);
    return service;
  }

  @AfterEach
  void stop() throws Exception {
    for (var c : closing) {
      c.close();
    }
    if (transfers != null) {
      GatewayKit.await(transfers.close());
    }
    if (kit != null) {
      kit.close();
    }
    if (dns != null) {
      dns.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  void aTargetOnTheCloudMetadataAddressIsRefusedAtSubmissionAndNothingIsStored() throws Exception {
    start(EgressPolicy.DEFAULT);

    var created =
        create("meta-1", "http://169.254.169.254/latest/meta-data/iam/security-credentials/");

    assertRefused(created, "target");
    assertThat(send(HttpMethod.GET, "/_transfers/meta-1", null).status()).isEqualTo(404);
  }

  @Test
  void aTargetOnTheAdminPortOnLoopbackIsRefusedAndTheAdminApiSeesNoConnection() throws Exception {
    start(EgressPolicy.DEFAULT);
    var admin = internal("127.0.0.1");

    var created = create("scan-1", admin.url("/admin/tokens"));

    assertRefused(created, "target");
    assertThat(LeakCheck.withoutRandomParts(created.body())).doesNotContain("401");
    assertThat(created.body()).doesNotContain(String.valueOf(admin.port()));
    assertThat(admin.untouched()).isTrue();
  }

  @Test
  void anIpv4MappedIpv6TargetIsJudgedAsTheLoopbackAddressItCarries() throws Exception {
    start(EgressPolicy.DEFAULT);
    var admin = internal("127.0.0.1");

    var created = create("mapped-1", "http://[::ffff:127.0.0.1]:" + admin.port() + "/admin/tokens");
    var hex = create("mapped-2", "http://[::ffff:7f00:1]:" + admin.port() + "/admin/tokens");

    assertRefused(created, "target");
    assertRefused(hex, "target");
    assertThat(admin.untouched()).isTrue();
  }

  @Test
  void aDecimalOrHexIpTargetIsReadAsTheLoopbackAddressItSpells() throws Exception {
    start(EgressPolicy.DEFAULT);
    var admin = internal("127.0.0.1");

    var decimal = create("odd-1", "http://2130706433:" + admin.port() + "/admin/tokens");
    var hex = create("odd-2", "http://0x7f000001:" + admin.port() + "/admin/tokens");
    var octal = create("odd-3", "http://017700000001:" + admin.port() + "/admin/tokens");

    assertRefused(decimal, "target");
    assertRefused(hex, "target");
    assertRefused(octal, "target");
    assertThat(admin.untouched()).isTrue();
  }

  @Test
  void aNameThatResolvesToLoopbackIsRefusedOnItsResolvedAddress() throws Exception {
    start(EgressPolicy.DEFAULT);
    var admin = internal("127.0.0.1");

    var created = create("name-1", "http://localhost:" + admin.port() + "/admin/tokens");

    assertRefused(created, "target");
    assertThat(admin.untouched()).isTrue();
  }

  @Test
  void aTusUploadWithAnInternalTargetIsRefusedAtCreation() throws Exception {
    start(EgressPolicy.DEFAULT);
    var admin = internal("127.0.0.1");
    var target =
        Base64.getEncoder()
            .encodeToString(admin.url("/admin/tokens").getBytes(StandardCharsets.UTF_8));

    var created =
        send(
            HttpMethod.POST,
            "/_tus/",
            null,
            "Tus-Resumable",
            "1.0.0",
            "Upload-Length",
            "10",
            "Upload-Metadata",
            "filename ZC5iaW4=,target " + target);

    assertRefused(created, "Upload-Metadata target");
    assertThat(created.header("Location")).isNull();
    assertThat(admin.untouched()).isTrue();
  }

  @Test
  void aNameThatRebindsToAnInternalAddressAfterSubmissionIsRefusedAtDelivery() throws Exception {
    start(EgressPolicy.DEFAULT);
    var admin = internal("127.0.0.1");
    var file = "rebinding".getBytes(StandardCharsets.UTF_8);
    var created =
        create(
            "rebind-1",
            "http://" + REBINDING_NAME + ":" + admin.port() + "/admin/tokens",
            file.length);
    dns.answer("127.0.0.1");

    var completed = uploadAndComplete("rebind-1", file);

    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(completed.status()).isEqualTo(502);
    assertThat(completed.problemType()).isEqualTo("delivery-failed");
    assertThat(LeakCheck.withoutRandomParts(completed.body())).doesNotContain("401");
    assertThat(admin.untouched()).isTrue();
  }

  @Test
  void aFailedDeliveryReadsTheSameWhetherThePortIsClosedOrTheServiceAnswers401() throws Exception {
    start(EgressPolicy.allowing("127.0.0.1/32"));
    var answering = internal("127.0.0.1");
    var closed = "http://127.0.0.1:" + GatewayKit.closedPort() + "/in";
    var file = "probe".getBytes(StandardCharsets.UTF_8);
    create("probe-open", answering.url("/in"), file.length);
    create("probe-closed", closed, file.length);

    var open = uploadAndComplete("probe-open", file);
    var shut = uploadAndComplete("probe-closed", file);

    assertThat(answering.requests()).as("the allowed service was really called").isEqualTo(1);
    assertThat(open.status()).isEqualTo(502);
    assertThat(shut.status()).isEqualTo(502);
    var openSummary = open.json().get("delivery").toString().replace(answering.url("/in"), "URL");
    var shutSummary = shut.json().get("delivery").toString().replace(closed, "URL");
    assertThat(openSummary).isEqualTo(shutSummary);
    assertThat(LeakCheck.withoutRandomParts(openSummary)).doesNotContain("401");
    // the same document but for the request ids, which are per request
    assertThat(withoutRequestId(open.body().replace(answering.url("/in"), "URL")))
        .isEqualTo(withoutRequestId(shut.body().replace(closed, "URL")));
  }

  @Test
  void egressAllowWidensThePolicyToExactlyTheAllowedBlockAndNeverToTheGatewaysOwnPort()
      throws Exception {
    start(EgressPolicy.allowing("127.0.0.1/32"));
    var allowed = internal("127.0.0.1").answer(201);
    var other = internal("127.0.0.2");
    var file = "allowed".getBytes(StandardCharsets.UTF_8);
    create("allow-1", allowed.url("/in"), file.length);

    var delivered = uploadAndComplete("allow-1", file);
    var outside = create("allow-2", other.url("/in"));
    var self = create("allow-3", "http://127.0.0.1:" + kit.port() + "/_transfers");

    assertThat(delivered.status()).as(delivered.body()).isEqualTo(200);
    assertThat(delivered.json()).containsEntry("status", "COMPLETED");
    assertThat(allowed.bodyBytes()).isEqualTo(file.length);
    assertRefused(outside, "target");
    assertThat(other.untouched()).isTrue();
    assertRefused(self, "target");
  }

  // ---- helpers

  private static void assertRefused(GatewayKit.Reply reply, String field) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(403);
    assertThat(reply.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(reply.problemType()).isEqualTo("egress-refused");
    assertThat(reply.json().get("errors").toString()).contains("field=" + field);
  }

  private GatewayKit.Reply create(String id, String target) {
    return create(id, target, 10);
  }

  private GatewayKit.Reply create(String id, String target, int size) {
    var descriptor =
        "{\"taskId\":\""
            + id
            + "\",\"chunkSize\":1048576,\"chunkCount\":1,\"totalSize\":"
            + size
            + ",\"digest\":\"sha-256\",\"target\":"
            + Json.write(target)
            + "}";
    return send(
        HttpMethod.POST,
        "/_transfers",
        Buffer.buffer(descriptor),
        "Content-Type",
        "application/json");
  }

  private GatewayKit.Reply uploadAndComplete(String id, byte[] file) throws Exception {
    var digest =
        "sha-256=:"
            + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(file))
            + ":";
    var put =
        send(
            HttpMethod.PUT,
            "/_transfers/" + id + "/chunks/0",
            Buffer.buffer(file),
            "Content-Digest",
            digest);
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    return send(HttpMethod.POST, "/_transfers/" + id + "/complete", null);
  }

  private GatewayKit.Reply send(HttpMethod method, String uri, Buffer body, String... headerPairs) {
    var headers = new ArrayList<>(List.of("X-Api-Key", acme));
    headers.addAll(List.of(headerPairs));
    return kit.sendBytes(method, uri, body, headers.toArray(String[]::new));
  }

  private static String withoutRequestId(String problem) {
    return problem.replaceAll("[0-9a-f]{32}", "ID");
  }
}
