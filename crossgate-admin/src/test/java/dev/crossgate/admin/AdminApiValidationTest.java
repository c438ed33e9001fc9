package dev.crossgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every bad input of the route resource: status, problem type and the field named. */
class AdminApiValidationTest {
  private static AdminKit kit;

  @BeforeAll
  static void start() throws Exception {
    kit = AdminKit.start("h2");
  }

  @AfterAll
  static void stop() throws Exception {
    kit.close();
  }

  private static String route(String overrides) {
    var base =
        "\"service\":\"shop\",\"sourcePath\":\"/v-test-"
            + System.nanoTime()
            + "\",\"targetUrl\":\"http://127.0.0.1:8081/home\"";
    return "{" + base + (overrides.isEmpty() ? "" : "," + overrides) + "}";
  }

  private static AdminKit.Reply mergePatch(String path, String ifMatch, String patch)
      throws Exception {
    var request =
        HttpRequest.newBuilder(kit.uri(path))
            .header("Authorization", "Bearer " + AdminKit.ADMIN_TOKEN)
            .header("Content-Type", "application/merge-patch+json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(patch));
    if (ifMatch != null) {
      request.header("If-Match", ifMatch);
    }
    return kit.send(request);
  }

  @Test
  void missingFieldsAreAllNamedInOneProblem() throws Exception {
    var reply = kit.post("/admin/routes", "{}");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.header("content-type")).isEqualTo("application/problem+json");
    assertThat(reply.problemType()).isEqualTo("validation");
    assertThat(reply.errorFields()).containsExactlyInAnyOrder("service", "sourcePath", "targetUrl");
    assertThat(reply.json().path("errors").get(0).path("message").asText())
        .isEqualTo("is required");
  }

  @ParameterizedTest(name = "targetUrl {0}")
  @CsvSource({
    "'not a url at all'",
    "/relative/path",
    "ftp://files.example.com/x",
    "http//missing-colon",
    "http://user:secret@example.com/x",
    "'http://exa mple.com/'",
    "mailto:ops@example.com"
  })
  void badTargetUrlsAreRefusedNamingTheField(String targetUrl) throws Exception {
    var reply =
        kit.post(
            "/admin/routes",
            "{\"service\":\"shop\",\"sourcePath\":\"/t\",\"targetUrl\":\"" + targetUrl + "\"}");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.problemType()).isEqualTo("validation");
    assertThat(reply.errorFields()).containsExactly("targetUrl");
  }

  @ParameterizedTest(name = "sourcePath {0}")
  @CsvSource({
    "shop",
    "/a/../b",
    "/a/./b",
    "/a//b",
    "/a%2Fb",
    "/a%2fb",
    "/a%2e%2e/b",
    "/a\\\\u0001b",
    "'/a b'",
    "/a?x=1",
    "/a#frag",
    "/a\\\\\\\\b"
  })
  void badSourcePathsAreRefusedNamingTheField(String sourcePath) throws Exception {
    var reply =
        kit.post(
            "/admin/routes",
            "{\"service\":\"shop\",\"sourcePath\":\""
                + sourcePath
                + "\",\"targetUrl\":\"http://a/b\"}");

    assertThat(reply.status()).as(reply.body()).isEqualTo(400);
    assertThat(reply.problemType()).isEqualTo("validation");
    assertThat(reply.errorFields()).containsExactly("sourcePath");
  }

  @ParameterizedTest(name = "version {0}")
  @CsvSource({"'v 1'", "../v1", "-v1", "v1/v2", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
  void invalidVersionTokensAreRefused(String version) throws Exception {
    var reply = kit.post("/admin/routes", route("\"version\":\"" + version + "\""));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactly("version");
  }

  @Test
  void methodsOutsideRfc9110AreRefusedOneByOne() throws Exception {
    var reply = kit.post("/admin/routes", route("\"methods\":[\"GET\",\"FETCH\",\"get\",\"GET\"]"));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactly("methods[1]", "methods[2]", "methods[3]");
  }

  @Test
  void enumerationsNameTheirAllowedValues() throws Exception {
    var reply =
        kit.post(
            "/admin/routes",
            route("\"mode\":\"LATER\",\"auth\":\"MAYBE\",\"asyncExecution\":\"X\""));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactlyInAnyOrder("mode", "auth", "asyncExecution");
    assertThat(reply.body()).contains("SYNC, ASYNC");
  }

  @Test
  void aDefaultVersionNeedsAVersion() throws Exception {
    var reply = kit.post("/admin/routes", route("\"defaultVersion\":true"));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactly("defaultVersion");
  }

  @Test
  void unknownFieldsAreRefusedByName() throws Exception {
    var reply = kit.post("/admin/routes", route("\"tagret\":\"http://x\""));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.problemType()).isEqualTo("validation");
    assertThat(reply.errorFields()).containsExactly("tagret");
  }

  @Test
  void anUnknownFieldDoesNotHideTheOtherBadFields() throws Exception {
    var reply =
        kit.post(
            "/admin/routes",
            "{\"service\":\"shop\",\"sourcePath\":\"relative\",\"tagret\":\"http://x\","
                + "\"targetUrl\":\"ftp://files/x\"}");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.problemType()).isEqualTo("validation");
    assertThat(reply.errorFields()).containsExactlyInAnyOrder("tagret", "sourcePath", "targetUrl");
    assertThat(reply.json().path("detail").asText()).isEqualTo("3 fields are invalid");
  }

  @Test
  void unknownAndMistypedFieldsAtEveryDepthAreNamedTogether() throws Exception {
    var reply =
        kit.post(
            "/admin/routes",
            route(
                "\"methods\":{\"GET\":true},\"enabled\":\"sometimes\","
                    + "\"timeouts\":{\"responseMs\":\"soon\",\"conectMs\":5},"
                    + "\"params\":[{\"name\":\"q\",\"type\":\"string\",\"optional\":true}],"
                    + "\"mode\":\"LATER\""));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields())
        .containsExactlyInAnyOrder(
            "methods",
            "enabled",
            "timeouts.responseMs",
            "timeouts.conectMs",
            "params[0].optional",
            "mode");
  }

  @Test
  void timeoutsWithOnlyResponseMsTakeTheDefaultsForTheOthers() throws Exception {
    var reply = kit.post("/admin/routes", route("\"timeouts\":{\"responseMs\":1500}"));

    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    assertThat(reply.json().path("timeouts").path("responseMs").asLong()).isEqualTo(1500);
    assertThat(reply.json().path("timeouts").path("connectMs").asLong()).isEqualTo(5_000);
    assertThat(reply.json().path("timeouts").path("idleMs").asLong()).isEqualTo(60_000);
  }

  @Test
  void aParamWithoutRequiredIsOptional() throws Exception {
    var reply =
        kit.post("/admin/routes", route("\"params\":[{\"name\":\"q\",\"type\":\"string\"}]"));

    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    assertThat(reply.json().path("params").get(0).path("required").asBoolean(true)).isFalse();
  }

  @Test
  void aMergePatchWithAnUnknownFieldNamesItAndTheBadFieldsBeside() throws Exception {
    var created = kit.post("/admin/routes", route(""));
    var path = "/admin/routes/" + created.json().path("id").asText();

    var reply =
        mergePatch(path, null, "{\"tagret\":\"x\",\"version\":\"v 1\",\"methods\":[\"FETCH\"]}");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactlyInAnyOrder("tagret", "version", "methods[0]");
  }

  @Test
  void aBatchNamesEveryBadFieldOfEveryRouteByIndex() throws Exception {
    var reply =
        kit.post(
            "/admin/routes/batch",
            "[{\"service\":\"shop\",\"sourcePath\":\"/batch-all\",\"targetUrl\":\"http://a/b\"},"
                + "{\"service\":\"shop\",\"sourcePath\":\"/batch-all-2\",\"tagret\":1},"
                + "{\"service\":\"shop\",\"sourcePath\":\"x\",\"targetUrl\":\"http://a/b\"}]");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields())
        .containsExactlyInAnyOrder("[1].tagret", "[1].targetUrl", "[2].sourcePath");
    assertThat(kit.get("/admin/routes?sourcePath=/batch-all").json().path("items")).isEmpty();
  }

  @Test
  void aFilterWithAnUnknownFieldAlsoNamesItsBadFields() throws Exception {
    var reply =
        kit.post("/admin/filters", "{\"kind\":\"IP\",\"value\":\"not-an-ip\",\"stauts\":403}");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactlyInAnyOrder("stauts", "value");
  }

  @Test
  void versionInPathIsStoredWhenFalseAndRefusedWhenNotABoolean() throws Exception {
    var optedOut = kit.post("/admin/routes", route("\"versionInPath\":false"));
    var bad = kit.post("/admin/routes", route("\"versionInPath\":\"sometimes\""));

    assertThat(optedOut.status()).as(optedOut.body()).isEqualTo(201);
    var stored =
        kit.get("/admin/routes/" + optedOut.json().path("id").asText())
            .json()
            .path("versionInPath");
    assertThat(stored.isBoolean()).isTrue();
    assertThat(stored.asBoolean()).isFalse();
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorFields()).containsExactly("versionInPath");
  }

  @Test
  void resolveRefusesAPathNamingAVersionTheSourceDoesNotHave() throws Exception {
    var source = "/resolve-versions-" + System.nanoTime();
    for (var version : new String[] {"v1", "v2"}) {
      kit.post(
          "/admin/routes",
          "{\"service\":\"shop\",\"sourcePath\":\""
              + source
              + "\",\"version\":\""
              + version
              + "\",\"defaultVersion\":"
              + version.equals("v1")
              + ",\"targetUrl\":\"http://a/"
              + version
              + "\"}");
    }

    var unknown = kit.get("/admin/resolve?url=" + source + "/v3/x");
    var known = kit.get("/admin/resolve?url=" + source + "/v2/x");

    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.problemType()).isEqualTo("version-not-found");
    assertThat(unknown.json().path("versions").toString()).isEqualTo("[\"v1\",\"v2\"]");
    assertThat(known.json().path("targetUrl").asText()).isEqualTo("http://a/v2/x");
  }

  @Test
  void wronglyTypedFieldsAreNamed() throws Exception {
    var reply = kit.post("/admin/routes", route("\"methods\":{\"GET\":true}"));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactly("methods");
  }

  @Test
  void invalidJsonIsReportedWithItsPosition() throws Exception {
    var reply = kit.post("/admin/routes", "{\n  \"service\": \"shop\",\n  \"sourcePath\": }");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.problemType()).isEqualTo("malformed-json");
    assertThat(reply.json().path("line").asInt()).isEqualTo(3);
    assertThat(reply.json().path("column").asInt()).isPositive();
    assertThat(reply.json().path("detail").asText()).contains("line 3");
  }

  @Test
  void aBodyOverTheLimitIs413() throws Exception {
    var big =
        "{\"service\":\"shop\",\"remarks\":\""
            + "x".repeat((int) AdminOptions.DEFAULT_MAX_BODY)
            + "\"}";

    var reply = kit.post("/admin/routes", big);

    assertThat(reply.status()).isEqualTo(413);
    assertThat(reply.problemType()).isEqualTo("payload-too-large");
    assertThat(reply.json().path("limit").asLong()).isEqualTo(AdminOptions.DEFAULT_MAX_BODY);
  }

  @Test
  void aNonJsonContentTypeIs415() throws Exception {
    var reply = kit.send("POST", "/admin/routes", AdminKit.ADMIN_TOKEN, "text/plain", route(""));
    var none =
        kit.send(
            HttpRequest.newBuilder(kit.uri("/admin/routes"))
                .header("Authorization", "Bearer " + AdminKit.ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(route(""))));

    assertThat(reply.status()).isEqualTo(415);
    assertThat(reply.problemType()).isEqualTo("unsupported-media-type");
    assertThat(none.status()).isEqualTo(415);
  }

  @Test
  void duplicateSourceVersionAndMethodIs409NamingTheRoute() throws Exception {
    var body =
        "{\"service\":\"shop\",\"sourcePath\":\"/dup\",\"version\":\"v1\",\"methods\":[\"GET\"],"
            + "\"targetUrl\":\"http://a/home\"}";
    var first = kit.post("/admin/routes", body);

    var second = kit.post("/admin/routes", body);

    assertThat(first.status()).isEqualTo(201);
    assertThat(second.status()).isEqualTo(409);
    assertThat(second.problemType()).isEqualTo("conflict");
    assertThat(second.json().path("conflictingRoute").asText())
        .isEqualTo(first.json().path("id").asText());
  }

  @Test
  void twoDefaultVersionsForOneSourceIs409() throws Exception {
    var v1 =
        kit.post(
            "/admin/routes",
            "{\"service\":\"shop\",\"sourcePath\":\"/defaults\",\"version\":\"v1\","
                + "\"defaultVersion\":true,\"targetUrl\":\"http://a/home\"}");

    var v2 =
        kit.post(
            "/admin/routes",
            "{\"service\":\"shop\",\"sourcePath\":\"/defaults\",\"version\":\"v2\","
                + "\"defaultVersion\":true,\"targetUrl\":\"http://b/index\"}");

    assertThat(v1.status()).isEqualTo(201);
    assertThat(v2.status()).isEqualTo(409);
    assertThat(v2.json().path("conflictingRoute").asText())
        .isEqualTo(v1.json().path("id").asText());
    assertThat(v2.json().path("detail").asText()).contains("default version");
  }

  @Test
  void aStaleIfMatchIs412AndTheRouteIsUnchanged() throws Exception {
    var created = kit.post("/admin/routes", route("\"version\":\"v1\""));
    var path = "/admin/routes/" + created.json().path("id").asText();
    var etag = created.header("etag");
    var firstEdit = mergePatch(path, etag, "{\"version\":\"v2\"}");

    var staleEdit = mergePatch(path, etag, "{\"version\":\"v3\"}");
    var staleDelete =
        kit.send(
            HttpRequest.newBuilder(kit.uri(path))
                .header("Authorization", "Bearer " + AdminKit.ADMIN_TOKEN)
                .header("If-Match", etag)
                .DELETE());

    assertThat(firstEdit.status()).isEqualTo(200);
    assertThat(firstEdit.header("etag")).isNotEqualTo(etag);
    assertThat(staleEdit.status()).isEqualTo(412);
    assertThat(staleEdit.problemType()).isEqualTo("precondition-failed");
    assertThat(staleDelete.status()).isEqualTo(412);
    assertThat(kit.get(path).json().path("version").asText()).isEqualTo("v2");
  }

  @Test
  void aMalformedIfMatchIs400() throws Exception {
    var created = kit.post("/admin/routes", route(""));
    var path = "/admin/routes/" + created.json().path("id").asText();

    var reply =
        kit.send(
            HttpRequest.newBuilder(kit.uri(path))
                .header("Authorization", "Bearer " + AdminKit.ADMIN_TOKEN)
                .header("If-Match", "yesterday")
                .DELETE());

    assertThat(reply.status()).isEqualTo(400);
    assertThat(kit.get(path).status()).isEqualTo(200);
  }

  @Test
  void listParametersOutOfRangeAreNamed() throws Exception {
    var reply = kit.get("/admin/routes?limit=0");
    var changes = kit.get("/admin/changes?after=-3");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactly("limit");
    assertThat(changes.status()).isEqualTo(400);
    assertThat(changes.errorFields()).containsExactly("after");
  }

  @Test
  void unknownResourcesAndRoutesAreProblems() throws Exception {
    var missingRoute = kit.get("/admin/routes/rt_doesnotexist");
    var missingResource = kit.get("/admin/nothing-here");

    assertThat(missingRoute.status()).isEqualTo(404);
    assertThat(missingRoute.problemType()).isEqualTo("not-found");
    assertThat(missingResource.status()).isEqualTo(404);
    assertThat(missingResource.header("content-type")).isEqualTo("application/problem+json");
  }

  @Test
  void aBatchWithANullEntryIsRefusedNamingItsPosition() throws Exception {
    var reply =
        kit.post(
            "/admin/routes/batch",
            "[{\"service\":\"shop\",\"sourcePath\":\"/batch-null\",\"targetUrl\":\"http://a/b\"}, null]");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactly("[1]");
    assertThat(kit.get("/admin/routes?sourcePath=/batch-null").json().path("items")).isEmpty();
  }

  @Test
  void resolveRefusesAMethodThatIsNotHttpAndDefaultsABlankOneToGet() throws Exception {
    var bad = kit.get("/admin/resolve?url=%2Fx&method=FOO");
    var blank = kit.get("/admin/resolve?url=%2Fnowhere&method=");

    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorFields()).containsExactly("method");
    assertThat(blank.status()).isEqualTo(404);
    assertThat(blank.json().path("detail").asText()).contains("GET /nowhere");
  }
}
