package dev.crossgate.store.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.extension.ModuleLoad;
import dev.crossgate.store.TestDatabases;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Node credentials (V42) on both databases: enrolled once, state written only while enrolled,
 * retired whole.
 */
class NodeRepositoryTest {

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aNodeIdIsEnrolledOnceUntilItIsRetired(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var nodes = new NodeRepository(db.database(), Clock.systemUTC());

      boolean first = nodes.enrol("n1", "a".repeat(64));
      boolean second = nodes.enrol("n1", "b".repeat(64));
      var stored = nodes.credentialHash("n1");
      boolean retired = nodes.retire("n1");
      boolean afresh = nodes.enrol("n1", "c".repeat(64));

      assertThat(first).isTrue();
      assertThat(second).isFalse();
      assertThat(stored).contains("a".repeat(64));
      assertThat(retired).isTrue();
      assertThat(afresh).isTrue();
      assertThat(nodes.credentialHashes())
          .containsExactly(java.util.Map.entry("n1", "c".repeat(64)));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void heartbeatsAndAcksOfANodeThatIsNotEnrolledRecordNothing(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var nodes = new NodeRepository(db.database(), Clock.systemUTC());
      nodes.enrol("n1", "a".repeat(64));
      nodes.seen("n1", 1, "0123456789abcdef", "v", "cp1");

      nodes.seen("ghost", 1, "0123456789abcdef", "v", "cp1");
      nodes.recordResult("ghost", 1, true, "0123456789abcdef", null);
      boolean retired = nodes.retire("n1");
      nodes.seen("n1", 2, "0123456789abcdef", "v", "cp1"); // a late heartbeat of the closing stream
      nodes.recordResult("n1", 2, true, "0123456789abcdef", null);

      assertThat(retired).isTrue();
      assertThat(nodes.all()).isEmpty();
      assertThat(nodes.history("ghost", 10)).isEmpty();
      assertThat(nodes.history("n1", 10)).isEmpty();
      assertThat(nodes.credentialHash("n1")).isEmpty();
      assertThat(nodes.retire("n1")).isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aModulesLoadStateIsListedForEveryNodeAndOnlyForTheTenantTheNodeReportedItFor(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var nodes = new NodeRepository(db.database(), Clock.systemUTC());
      var sha = "ab".repeat(32);
      var since = Instant.parse("2026-12-02T09:00:00Z");
      for (var node : List.of("n1", "n2", "n3")) {
        nodes.enrol(node, "a".repeat(64));
        nodes.seen(node, 1, "0123456789abcdef", "v", "cp1");
      }
      nodes.seen(
          "n1",
          1,
          "0123456789abcdef",
          "v",
          "cp1",
          new ClusterMessage.NodeReport(
              List.of(),
              List.of(new ModuleLoad("acme", sha, ModuleLoad.State.LOADED, since, null))));
      nodes.seen(
          "n2",
          1,
          "0123456789abcdef",
          "v",
          "cp1",
          new ClusterMessage.NodeReport(
              List.of(),
              List.of(new ModuleLoad("acme", sha, ModuleLoad.State.FAILED, since, "too large"))));

      var acme = nodes.moduleLoads("acme", sha);
      var globex = nodes.moduleLoads("globex", sha);
      nodes.seen("n2", 1, "0123456789abcdef", "v", "cp1", ClusterMessage.NodeReport.NONE);
      var afterN2ReportsNone = nodes.moduleLoads("acme", sha);

      assertThat(acme)
          .containsExactly(
              new ModuleLoad.OnNode("n1", ModuleLoad.State.LOADED, since, null),
              new ModuleLoad.OnNode("n2", ModuleLoad.State.FAILED, since, "too large"),
              ModuleLoad.OnNode.notLoaded("n3"));
      assertThat(globex)
          .as("a tenant never sees another's module, though it has the same digest")
          .containsExactly(
              ModuleLoad.OnNode.notLoaded("n1"),
              ModuleLoad.OnNode.notLoaded("n2"),
              ModuleLoad.OnNode.notLoaded("n3"));
      assertThat(afterN2ReportsNone).contains(ModuleLoad.OnNode.notLoaded("n2"));
    }
  }
}
