package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.admin.ControlPlane;
import dev.crossgate.admin.ControlPlaneOptions;
import dev.crossgate.egress.EgressPolicy;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code crossgate config export|diff|apply|validate} as an operator runs them from git and CI,
 * against two real control planes on loopback.
 */
class ConfigCommandTest {
  private static final String TOKEN = "cga_config-command-test-token-0123456789";

  @TempDir Path dir;
  private Vertx vertx;
  private ControlPlane source;
  private ControlPlane fresh;
  private final HttpClient http = HttpClient.newHttpClient();

  /** What one command run printed and returned. */
  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    source = controlPlane("source");
    fresh = controlPlane("fresh");
  }

  @AfterEach
  void stop() throws Exception {
    source.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    fresh.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aYamlExportAppliedToAFreshControlPlaneExportsToTheSameBytes() throws Exception {
    configure(source);
    var exported = dir.resolve("crossgate.yaml");
    var again = dir.resolve("again.yaml");

    var export = run(source, "export", "-o", exported.toString());
    var apply = run(fresh, "apply", "-f", exported.toString());
    run(fresh, "export", "-o", again.toString());
    var diff = run(fresh, "diff", "-f", exported.toString());

    assertThat(export.exit()).as(export.err()).isZero();
    assertThat(apply.exit()).as(apply.err()).isZero();
    assertThat(apply.out()).contains("+ routes shop /orders v1", "changes applied: revision");
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(exported));
    assertThat(Files.readString(exported)).startsWith("apiVersion: crossgate/v1\n");
    assertThat(diff.exit()).isZero();
    assertThat(diff.out()).contains("no changes");
  }

  @Test
  void diffExitsTwoWithTheFieldThatDiffersAndApplyMakesItExitZero() throws Exception {
    configure(source);
    var file = dir.resolve("crossgate.yaml");
    run(source, "export", "-o", file.toString());
    Files.writeString(
        file, Files.readString(file).replace("http://orders:8080/v1", "http://orders:9090/v1"));

    var before = run(source, "diff", "-f", file.toString());
    var apply = run(source, "apply", "-f", file.toString());
    var after = run(source, "diff", "-f", file.toString());

    assertThat(before.exit()).isEqualTo(2);
    assertThat(before.out())
        .contains(
            "~ routes shop /orders v1",
            "targetUrl: \"http://orders:8080/v1\" -> \"http://orders:9090/v1\"");
    assertThat(apply.exit()).as(apply.err()).isZero();
    assertThat(after.exit()).isZero();
  }

  @Test
  void applyIsRefusedWhenTheConfigurationMovedSinceTheReviewedDiff() throws Exception {
    configure(source);
    var file = dir.resolve("crossgate.yaml");
    run(source, "export", "-o", file.toString());
    Files.writeString(file, Files.readString(file).replace("Acme Corp", "Acme Inc"));
    var diff = run(source, "diff", "-f", file.toString());
    var revision = diff.out().replaceAll("(?s).*against revision (\\d+).*", "$1");
    admin(
        source,
        "POST",
        "/admin/routes",
        "{\"service\":\"x\",\"sourcePath\":\"/x\",\"targetUrl\":\"http://x\"}");

    var apply = run(source, "apply", "-f", file.toString(), "--if-revision", revision);

    assertThat(diff.exit()).isEqualTo(2);
    assertThat(apply.exit()).isEqualTo(1);
    assertThat(apply.err()).contains("(412)", "changed since revision " + revision);
    assertThat(admin(source, "GET", "/admin/tenants", null)).contains("Acme Corp");
  }

  @Test
  void validateNamesEveryErrorWithItsLineWithoutAServer() throws Exception {
    var file = dir.resolve("broken.yaml");
    Files.writeString(
        file,
        """
        apiVersion: crossgate/v1
        routes:
          - service: shop
            sourcePath: /a
            targetUrl: http://a
          - service: shop
            sourcePath: /b
            targetUrl: ftp://b
            methods: [GET, FETCH]
        """);

    var result = run(null, "validate", "-f", file.toString());

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.err())
        .contains(
            file + ":8: routes[1].targetUrl: scheme 'ftp' is not supported; use http or https",
            file + ":9: routes[1].methods[1]: 'FETCH' is not an HTTP method",
            "2 errors");
  }

  @Test
  void theTokenComesFromAFileAndWithoutOneTheCommandIsAUsageError() throws Exception {
    var tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, TOKEN + "\n");
    var admin = "http://127.0.0.1:" + source.port();

    var withFile =
        execute("config", "export", "--admin", admin, "--token-file", tokenFile.toString());
    var without = execute("config", "export", "--admin", admin, "--token", "");

    assertThat(withFile.exit()).as(withFile.err()).isZero();
    assertThat(withFile.out()).startsWith("apiVersion: crossgate/v1");
    assertThat(without.exit()).isEqualTo(ConfigCommand.USAGE); // not diff's "differs" (2)
    assertThat(without.err()).contains("an admin token is needed");
  }

  private Run run(ControlPlane target, String... args) {
    var all = new java.util.ArrayList<String>(java.util.List.of("config"));
    all.addAll(java.util.List.of(args));
    if (target != null) {
      all.addAll(
          java.util.List.of("--admin", "http://127.0.0.1:" + target.port(), "--token", TOKEN));
    }
    return execute(all.toArray(String[]::new));
  }

  private static Run execute(String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    var commandLine = new CommandLine(new Crossgate());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exit = commandLine.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private ControlPlane controlPlane(String name) throws Exception {
    var options =
        ControlPlaneOptions.embedded(dir.resolve(name), "127.0.0.1", 0)
            .withAdminToken(TOKEN)
            .withEgress(EgressPolicy.allowing("127.0.0.1/32"));
    return ControlPlane.start(vertx, options, () -> "")
        .toCompletionStage()
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
  }

  private void configure(ControlPlane cp) throws Exception {
    admin(cp, "POST", "/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme Corp\"}");
    admin(
        cp,
        "PUT",
        "/admin/tenants/acme/extensions/enrich",
        "{\"point\":\"request\",\"endpoint\":\"http://127.0.0.1:9/enrich\","
            + "\"versions\":[{\"version\":\"v1\",\"weight\":1}]}");
    admin(
        cp,
        "POST",
        "/admin/filters",
        "{\"name\":\"no-bots\",\"kind\":\"USER_AGENT\",\"value\":\"BadBot\"}");
    admin(
        cp,
        "POST",
        "/admin/routes",
        "{\"service\":\"shop\",\"sourcePath\":\"/orders\",\"version\":\"v1\",\"defaultVersion\":true,"
            + "\"targetUrl\":\"http://orders:8080/v1\"}");
    admin(
        cp,
        "POST",
        "/admin/routes",
        "{\"service\":\"shop\",\"sourcePath\":\"/orders\",\"version\":\"2.0\",\"auth\":\"KEY\","
            + "\"targetUrl\":\"http://orders:8080/v2\",\"flow\":[\"ext:acme/enrich\",\"proxy\"]}");
  }

  private String admin(ControlPlane cp, String method, String path, String body) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.port() + path))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    return response.body();
  }
}
