package dev.crossgate.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.ProblemException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteValidatorTest {
  private static final Instant NOW = Instant.parse("2026-11-23T00:00:00Z");

  private static RouteSpec spec(
      String sourceHost,
      String sourcePath,
      String targetUrl,
      List<String> methods,
      Route.Timeouts timeouts,
      List<String> flow,
      List<Route.Param> params) {
    return new RouteSpec(
        null,
        "shop",
        null,
        null,
        sourceHost,
        sourcePath,
        null,
        "v1",
        null,
        methods,
        targetUrl,
        null,
        null,
        params,
        flow,
        null,
        timeouts,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  @Test
  void corsRefusesCredentialsForAnyOriginAndWhatIsNotAnOriginMethodOrHeader() {
    var base = spec(null, "/shop", "http://svc:8080", null, null, null, null);
    var bad =
        new Route.Cors(
            List.of("*", "https://app.example.com/path"),
            List.of("GET POST"),
            List.of("bad header"),
            List.of(),
            90_000L,
            true);
    var spec = withCors(base, bad);

    assertThatThrownBy(
            () -> RouteValidator.validate("rt_1", spec, "t", Instant.EPOCH, Instant.EPOCH))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e ->
                assertThat(e.problem().errors())
                    .extracting(FieldError::field)
                    .containsExactlyInAnyOrder(
                        "cors.allowOrigins",
                        "cors.allowCredentials",
                        "cors.allowMethods",
                        "cors.allowHeaders",
                        "cors.maxAgeSeconds"));
    var good =
        RouteValidator.validate(
            "rt_1",
            withCors(
                base,
                new Route.Cors(List.of("https://app.example.com"), null, null, null, null, true)),
            "t",
            Instant.EPOCH,
            Instant.EPOCH);
    assertThat(good.cors().allows("https://app.example.com")).isTrue();
    assertThat(good.cors().allows("https://other.example.com")).isFalse();
  }

  private static RouteSpec withCors(RouteSpec s, Route.Cors cors) {
    return new RouteSpec(
        s.id(),
        s.service(),
        s.summary(),
        s.remarks(),
        s.sourceHost(),
        s.sourcePath(),
        s.pathMatch(),
        s.version(),
        s.defaultVersion(),
        s.methods(),
        s.targetUrl(),
        s.mode(),
        s.asyncExecution(),
        s.params(),
        s.flow(),
        s.auth(),
        s.timeouts(),
        s.maxBodyBytes(),
        s.websocket(),
        s.enabled(),
        s.createdBy(),
        s.createdAt(),
        s.updatedAt(),
        s.revision(),
        s.tls(),
        s.forwardClientCertSubject(),
        s.versionInPath(),
        s.upstream(),
        s.targetPath(),
        s.split(),
        s.stickyKey(),
        s.forwardToken(),
        s.rateLimits(),
        cors);
  }

  @Test
  void aValidSpecIsNormalisedIntoARoute() {
    var route =
        RouteValidator.validate(
            "rt_1",
            spec(
                "API.Example.com",
                "/shop/",
                "http://svc:8080/home/",
                List.of("POST", "GET"),
                null,
                null,
                null),
            "alice",
            NOW,
            NOW);

    assertThat(route.sourceHost()).isEqualTo("api.example.com");
    assertThat(route.sourcePath()).isEqualTo("/shop");
    assertThat(route.targetUrl()).isEqualTo("http://svc:8080/home");
    assertThat(route.methods()).containsExactly("GET", "POST");
    assertThat(route.mode()).isEqualTo(Route.Mode.SYNC);
    assertThat(route.timeouts()).isEqualTo(Route.Timeouts.DEFAULT);
    assertThat(route.enabled()).isTrue();
    assertThat(route.createdBy()).isEqualTo("alice");
  }

  @Test
  void wildcardHostsAreAcceptedAndMalformedHostsNamed() {
    var ok =
        RouteValidator.validate(
            "rt_1", spec("*.example.com", "/a", "http://b", null, null, null, null), "a", NOW, NOW);

    assertThat(ok.hostKey()).isEqualTo("*.example.com");
    assertThat(errors(spec("example.com:8080", "/a", "http://b", null, null, null, null)))
        .extracting(FieldError::field)
        .containsExactly("sourceHost");
    assertThat(errors(spec("http://example.com", "/a", "http://b", null, null, null, null)))
        .extracting(FieldError::field)
        .containsExactly("sourceHost");
  }

  @Test
  void timeoutsParamsAndFlowStepsAreCheckedFieldByField() {
    var bad =
        spec(
            null,
            "/a",
            "http://b",
            null,
            new Route.Timeouts(0, 30_000, 99_999_999),
            List.of("proxy", "ext:acme/ok", "shell:rm", "proxy"),
            List.of(new Route.Param("q", "string", true), new Route.Param("q", "date", false)));

    assertThat(errors(bad))
        .extracting(FieldError::field)
        .containsExactlyInAnyOrder(
            "timeouts.connectMs",
            "timeouts.idleMs",
            "flow[2]",
            "flow",
            "params[1].name",
            "params[1].type");
  }

  @Test
  void aRouteWithoutKeysMustNameTheTenantOfEveryExtensionStep() {
    var bare = spec(null, "/a", "http://b", null, null, List.of("ext:validate", "proxy"), null);
    var named =
        spec(null, "/a", "http://b", null, null, List.of("ext:acme/validate", "proxy"), null);

    assertThat(errors(bare)).extracting(FieldError::field).containsExactly("flow[0]");
    assertThat(RouteValidator.validate("rt_1", named, "a", NOW, NOW).flow())
        .containsExactly("ext:acme/validate", "proxy");
    assertThat(RouteValidator.extensionRef("ext:acme/validate"))
        .isEqualTo(new RouteValidator.ExtensionRef("acme", "validate"));
    assertThat(RouteValidator.extensionRef("ext:validate"))
        .isEqualTo(new RouteValidator.ExtensionRef(null, "validate"));
    assertThat(RouteValidator.extensionRef("proxy")).isNull();
  }

  private static List<FieldError> errors(RouteSpec spec) {
    try {
      RouteValidator.validate("rt_1", spec, "a", NOW, NOW);
    } catch (ProblemException e) {
      assertThat(e.problem().status()).isEqualTo(400);
      assertThat(e.problem().typeName()).isEqualTo("validation");
      return e.problem().errors();
    }
    throw new AssertionError("expected a validation problem");
  }

  @Test
  void anIdInTheBodyMustMatchTheAddressedRoute() {
    var spec =
        new RouteSpec(
            "rt_other",
            "shop",
            null,
            null,
            null,
            "/a",
            null,
            null,
            null,
            null,
            "http://b",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);

    assertThatThrownBy(() -> RouteValidator.validate("rt_1", spec, "a", NOW, NOW))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e ->
                assertThat(e.problem().errors())
                    .extracting(FieldError::field)
                    .containsExactly("id"));
  }
}
