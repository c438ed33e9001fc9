package dev.crossgate.extension;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.change.Change;
import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.config.ConfigApplier;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.json.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry travels to nodes like routes do: as EXTENSION changes, and inside snapshots. */
class ExtensionConfigTest {
  private static final Instant AT = Instant.parse("2026-11-23T00:00:00Z");

  private static Extension extension(String tenant, String id, String endpoint) {
    return new Extension(
        tenant,
        id,
        ExtensionPoints.REQUEST,
        endpoint,
        null,
        null,
        500,
        null,
        null,
        List.of(new Extension.Version("v1", 1, null)),
        List.of(),
        null,
        AT,
        AT,
        1);
  }

  private static Change change(long revision, Change.Op op, String key, Object body) {
    return new Change(
        revision,
        op,
        Change.EntityType.EXTENSION,
        key,
        body == null ? null : Json.mapper().valueToTree(body),
        "alice",
        AT);
  }

  @Test
  void extensionChangesAreAppliedIncrementallyAndTheHashMatchesOneFromScratch() {
    var applied =
        ConfigApplier.apply(
            GatewayConfig.EMPTY,
            List.of(
                change(1, Change.Op.INSERT, "acme/a", extension("acme", "a", "http://one")),
                change(2, Change.Op.INSERT, "globex/a", extension("globex", "a", "http://two"))));
    applied =
        ConfigApplier.apply(
            applied,
            List.of(
                change(3, Change.Op.UPDATE, "acme/a", extension("acme", "a", "http://three")),
                change(4, Change.Op.DELETE, "globex/a", null)));

    var fromScratch =
        new GatewayConfig(
            4,
            applied.routes(),
            applied.filters(),
            applied.apiKeys(),
            applied.extensions().all(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            java.util.Map.of());

    assertThat(applied.extensions().find("acme", "a").endpoint()).isEqualTo("http://three");
    assertThat(applied.extensions().find("globex", "a")).isNull();
    assertThat(applied.extensions().size()).isEqualTo(1);
    assertThat(applied.hash())
        .isEqualTo(fromScratch.hash())
        .isNotEqualTo(GatewayConfig.EMPTY.hash());
  }

  @Test
  void aSnapshotCarriesTheRegistryAndOneWithoutExtensionsReadsAsEmpty() throws Exception {
    var config =
        ConfigApplier.apply(
            GatewayConfig.EMPTY,
            List.of(change(1, Change.Op.INSERT, "acme/a", extension("acme", "a", "http://one"))));

    var json = Json.write(ClusterMessage.Snapshot.of(config));
    var back =
        ((ClusterMessage.Snapshot) Json.mapper().readValue(json, ClusterMessage.class)).toConfig();
    var legacy =
        (ClusterMessage.Snapshot)
            Json.mapper()
                .readValue(
                    "{\"type\":\"SNAPSHOT\",\"revision\":1,\"hash\":\"0\",\"routes\":[],\"filters\":[],\"apiKeys\":[]}",
                    ClusterMessage.class);

    assertThat(back.extensions().find("acme", "a"))
        .isEqualTo(config.extensions().find("acme", "a"));
    assertThat(back.hash()).isEqualTo(config.hash());
    assertThat(legacy.extensions()).isEmpty();
  }
}
