package dev.crossgate.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.ProblemException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code dns+srv://} targets are checked field by field, like http(s) ones. */
class UpstreamValidatorSrvTest {
  private static UpstreamSpec spec(UpstreamSpec.TargetSpec... targets) {
    return new UpstreamSpec(
        "orders", List.of(targets), null, null, null, null, null, null, null, null, null);
  }

  private static List<String> invalidFields(UpstreamSpec.TargetSpec... targets) {
    var e =
        catchThrowableOfType(
            ProblemException.class,
            () -> UpstreamValidator.validate("orders", spec(targets), "t", null, Instant.EPOCH));
    return e.problem().errors().stream().map(FieldError::field).toList();
  }

  @Test
  void aKubernetesServiceSrvNameIsATarget() {
    var upstream =
        UpstreamValidator.validate(
            "orders",
            spec(
                new UpstreamSpec.TargetSpec(
                    "dns+srv://_http._tcp.orders.default.svc.cluster.local", null),
                new UpstreamSpec.TargetSpec("http://static:8080", 10)),
            "t",
            null,
            Instant.EPOCH);

    assertThat(upstream.targets().get(0).srvName())
        .isEqualTo("_http._tcp.orders.default.svc.cluster.local");
    assertThat(upstream.targets().get(1).srvName()).isNull();
  }

  @Test
  void portsPathsCredentialsBadNamesAndWeightsAreRefusedPerField() {
    assertThat(
            invalidFields(
                new UpstreamSpec.TargetSpec("dns+srv://_http._tcp.orders:8080", null),
                new UpstreamSpec.TargetSpec("dns+srv://_http._tcp.orders/api", null),
                new UpstreamSpec.TargetSpec("dns+srv://user@_http._tcp.orders", null),
                new UpstreamSpec.TargetSpec("dns+srv://", null),
                new UpstreamSpec.TargetSpec("dns+srv://bad..name", null),
                new UpstreamSpec.TargetSpec("DNS+SRV://_http._tcp.weighted", 5)))
        .containsExactly(
            "targets[0].url",
            "targets[1].url",
            "targets[2].url",
            "targets[3].url",
            "targets[4].url",
            "targets[5].weight");
  }
}
