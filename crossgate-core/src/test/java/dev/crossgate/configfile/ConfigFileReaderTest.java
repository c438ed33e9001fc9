package dev.crossgate.configfile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.problem.FieldError;
import dev.crossgate.tls.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileReaderTest {
  private static final SecretReferences NO_ENV = SecretReferences.resolving(name -> null, null);

  private static final String VALID =
      """
      apiVersion: crossgate/v1
      tenants:
        - id: acme
          name: Acme Corp
      extensions:
        - tenant: acme
          id: enrich
          point: request
          endpoint: http://acme.example/enrich
          versions:
            - version: v1
              weight: 1
      filters:
        - name: no-bots
          kind: USER_AGENT
          value: BadBot
      routes:
        - service: shop
          sourcePath: /orders
          version: v1
          defaultVersion: true
          targetUrl: http://orders:8080/home
          flow: [ext:acme/enrich, proxy]
        - service: shop
          sourcePath: /orders
          version: "2.0"
          targetUrl: http://orders:8080/index
      """;

  @Test
  void aValidYamlFileReadsIntoTheSpecsTheAdminApiTakes() {
    var result = read(VALID);

    assertThat(result.errors()).isEmpty();
    assertThat(ConfigFileValidator.errors(result.file())).isEmpty();
    assertThat(result.file().routes()).hasSize(2);
    assertThat(result.file().routes().get(1).version()).isEqualTo("2.0");
    assertThat(result.file().extensions().get(0).tenant()).isEqualTo("acme");
    assertThat(result.file().extensions().get(0).spec().point()).isEqualTo("request");
  }

  @Test
  void everyErrorOfTheFileIsNamedWithItsPathAndLine() {
    var yaml =
        """
        apiVersion: crossgate/v1
        upstream: []
        filters:
          - kind: IP
            value: not-an-ip
        routes:
          - service: shop
            sourcePath: /a
            targetUrl: http://a
          - service: shop
            sourcePath: /b
            targetUrl: ftp://files/b
          - service: shop
            id: rt_123
            sourcePath: /c
            targetUrl: http://c
            timeouts: {connectMs: soon}
          - service: shop
            sourcePath: /a
            targetUrl: http://other
        """;

    var result = read(yaml);
    var errors = new ArrayList<>(result.errors());
    errors.addAll(ConfigFileValidator.errors(result.file()));
    var described = ConfigFileReader.describe(errors, result.lines(), "crossgate.yaml");

    assertThat(described)
        .contains(
            "crossgate.yaml:2: upstream: is not a section of crossgate/v1; known: [apiVersion,"
                + " tenants, extensions, filters, upstreams, routes]",
            "crossgate.yaml:14: routes[2].id: is set by the server; a file names a route by"
                + " service, sourceHost, sourcePath and version",
            "crossgate.yaml:12: routes[1].targetUrl: scheme 'ftp' is not supported; use http or https",
            "crossgate.yaml:5: filters[0].value: 'not-an-ip' is not an IP address or CIDR block",
            "crossgate.yaml:4: filters[0].name: is required: a file names each filter rule",
            "crossgate.yaml:18: routes[3]: serves /a for the same methods as routes[0]");
    assertThat(described)
        .anyMatch(line -> line.startsWith("crossgate.yaml:17: routes[2].timeouts.connectMs:"));
  }

  @Test
  void upstreamPoolsAreReadByIdAndARouteNamingAPoolTheFileLacksIsAnErrorWithItsLine() {
    var yaml =
        """
        apiVersion: crossgate/v1
        upstreams:
          - id: carts
            algorithm: LEAST_CONNECTIONS
            targets:
              - url: http://carts-1:8080
                weight: 3
              - url: dns+srv://_http._tcp.carts.example
          - id: stock
            revision: 7
            targets:
              - url: ftp://stock
          - id: carts
            targets:
              - url: http://carts-2:8080
        routes:
          - service: shop
            sourcePath: /carts
            upstream: carts
          - service: shop
            sourcePath: /stock
            upstream: stock-pool
        """;

    var result = read(yaml);
    var errors = new ArrayList<>(result.errors());
    errors.addAll(ConfigFileValidator.errors(result.file()));
    var described = ConfigFileReader.describe(errors, result.lines(), "crossgate.yaml");

    assertThat(result.file().upstreams()).hasSize(3);
    assertThat(result.file().upstreams().get(0).targets()).hasSize(2);
    assertThat(described)
        .containsExactlyInAnyOrder(
            "crossgate.yaml:10: upstreams[1].revision: is set by the server; a file names an"
                + " upstream by id",
            "crossgate.yaml:12: upstreams[1].targets[0].url: scheme 'ftp' is not supported; use"
                + " http or https",
            "crossgate.yaml:13: upstreams[2].id: 'carts' names upstreams[0] already",
            "crossgate.yaml:22: routes[1].upstream: there is no upstream 'stock-pool' in the"
                + " file's upstreams");
  }

  @Test
  void aJsonFileReadsLikeTheSameYaml() {
    var json =
        """
        {"apiVersion": "crossgate/v1",
         "routes": [{"service": "shop", "sourcePath": "/orders",
                     "targetUrl": "ftp://orders"}]}
        """;

    var result = read(json);
    var errors = ConfigFileValidator.errors(result.file());

    assertThat(ConfigFileReader.describe(errors, result.lines(), "c.json"))
        .containsExactly(
            "c.json:3: routes[0].targetUrl: scheme 'ftp' is not supported; use http or https");
  }

  @Test
  void aSyntaxErrorNamesItsLine() {
    var result = read("apiVersion: crossgate/v1\nroutes:\n  - service: [shop\n");

    assertThat(result.errors()).hasSize(1);
    assertThat(result.errors().get(0).message()).startsWith("is not valid YAML at line");
  }

  @Test
  void aDuplicatedKeyIsRefusedRatherThanSilentlyOverwritten() {
    var result = read("apiVersion: crossgate/v1\nroutes: []\nroutes: []\n");

    assertThat(result.errors()).extracting(FieldError::message).anyMatch(m -> m.contains("routes"));
  }

  @Test
  void secretReferencesAreResolvedFromTheEnvironmentAndFiles(@TempDir Path dir) throws Exception {
    var ca = TestCertificates.authority("config-test-ca");
    var client = ca.server("client");
    Files.writeString(dir.resolve("client.key"), client.keyPem());
    var yaml =
        """
        apiVersion: crossgate/v1
        routes:
          - service: shop
            sourcePath: /secure
            targetUrl: https://orders:8443
            tls:
              clientCertPem: ${env:CLIENT_CERT}
              clientKeyPem: ${file:client.key}
        """;
    var secrets = SecretReferences.resolving(Map.of("CLIENT_CERT", client.certPem())::get, dir);

    var result = ConfigFileReader.read(yaml.getBytes(StandardCharsets.UTF_8), secrets);

    assertThat(result.errors()).isEmpty();
    assertThat(ConfigFileValidator.errors(result.file())).isEmpty();
    var tls = result.file().routes().get(0).tls();
    assertThat(tls.clientCertPem()).isEqualTo(client.certPem());
    assertThat(tls.clientKeyPem()).isEqualTo(client.keyPem().strip());
  }

  @Test
  void unresolvableMisplacedAndRemoteReferencesAreErrors() {
    var yaml =
        """
        apiVersion: crossgate/v1
        routes:
          - service: shop
            sourcePath: /secure
            summary: ${env:HOME}
            targetUrl: https://orders:8443
            tls:
              clientCertPem: ${env:MISSING}
              clientKeyPem: ${file:/etc/passwd}
        """;

    var local = read(yaml);
    var remote =
        ConfigFileReader.read(yaml.getBytes(StandardCharsets.UTF_8), SecretReferences.refused());

    assertThat(local.errors())
        .contains(
            new FieldError(
                "routes[0].tls.clientCertPem", "environment variable MISSING is not set"),
            new FieldError(
                "routes[0].summary",
                "secret references are accepted only in a route's tls.clientCertPem and"
                    + " tls.clientKeyPem"));
    assertThat(remote.errors())
        .extracting(FieldError::field)
        .contains("routes[0].tls.clientCertPem", "routes[0].tls.clientKeyPem");
    assertThat(remote.file().routes().get(0).tls().clientKeyPem()).isNull();
  }

  @Test
  void routesWithTheSameKeyArePairedByMethodsAndTheRestIsCreatedOrDeleted() {
    var current = List.of("a:GET", "a:POST", "b:GET");
    var desired = List.of("a:POST", "a:PUT", "c:GET");

    var pairs = ConfigDiff.pair(current, desired, s -> s.split(":")[0], s -> s.split(":")[1]);

    assertThat(pairs)
        .containsExactly(
            new ConfigDiff.Pair<>("a:POST", "a:POST", 0),
            new ConfigDiff.Pair<>(null, "a:PUT", 1),
            new ConfigDiff.Pair<>(null, "c:GET", 2),
            new ConfigDiff.Pair<>("a:GET", null, -1),
            new ConfigDiff.Pair<>("b:GET", null, -1));
  }

  private static ConfigFileReader.Result read(String text) {
    return ConfigFileReader.read(text.getBytes(StandardCharsets.UTF_8), NO_ENV);
  }
}
