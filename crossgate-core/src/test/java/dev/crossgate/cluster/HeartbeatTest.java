package dev.crossgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.extension.ModuleLoad;
import dev.crossgate.json.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The heartbeat's node report on the wire: parts a node has nothing of are left out, a heartbeat of
 * a node that predates a part reads as reporting none of it, and one of a newer node reads without
 * the parts this version does not know.
 */
class HeartbeatTest {

  @Test
  void aHeartbeatOfANodeThatPredatesReportsReadsAsReportingNothing() throws Exception {
    var old = "{\"type\":\"HEARTBEAT\",\"revision\":3,\"hash\":\"0123456789abcdef\"}";

    var read = (ClusterMessage.Heartbeat) Json.mapper().readValue(old, ClusterMessage.class);

    assertThat(read.revision()).isEqualTo(3);
    assertThat(read.report()).isEqualTo(ClusterMessage.NodeReport.NONE);
  }

  @Test
  void aHeartbeatOfANewerNodeWithAReportPartThisVersionLacksIsReadWithoutIt() throws Exception {
    var newer =
        "{\"type\":\"HEARTBEAT\",\"revision\":4,\"hash\":\"0123456789abcdef\","
            + "\"somethingNew\":{\"routes\":[1,2]}}";

    var read = (ClusterMessage.Heartbeat) ClusterMessage.read(newer);

    assertThat(read.revision()).isEqualTo(4);
    assertThat(read.hash()).isEqualTo("0123456789abcdef");
  }

  @Test
  void aFrameOfAnUnknownTypeOrWithAMistypedKnownMemberIsStillRefused() {
    assertThatThrownBy(() -> ClusterMessage.read("{\"type\":\"SHUTDOWN\",\"revision\":1}"))
        .isInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
    assertThatThrownBy(
            () ->
                ClusterMessage.read(
                    "{\"type\":\"HEARTBEAT\",\"revision\":\"many\",\"hash\":\"00\"}"))
        .isInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
  }

  @Test
  void aNodeWithNothingToReportSendsTheHeartbeatAsNodesThatPredateReportsDid() {
    var json = Json.write(new ClusterMessage.Heartbeat(3, "0123456789abcdef"));

    assertThat(json)
        .isEqualTo("{\"type\":\"HEARTBEAT\",\"revision\":3,\"hash\":\"0123456789abcdef\"}");
  }

  @Test
  void aModulesLoadStateSurvivesTheWire() throws Exception {
    var load =
        new ModuleLoad(
            "acme",
            "ab".repeat(32),
            ModuleLoad.State.FAILED,
            Instant.parse("2026-12-02T09:00:00Z"),
            "x".repeat(500));
    var sent =
        new ClusterMessage.Heartbeat(
            3, "0123456789abcdef", new ClusterMessage.NodeReport(List.of(), List.of(load)));

    var read =
        (ClusterMessage.Heartbeat) Json.mapper().readValue(Json.write(sent), ClusterMessage.class);

    assertThat(read).isEqualTo(sent);
    assertThat(read.modules().get(0).detail()).hasSize(ModuleLoad.MAX_DETAIL);
  }

  @Test
  void aNodesTrafficSurvivesTheWireAndAReportIsCutToItsBusiestRoutes() throws Exception {
    var routes = new java.util.ArrayList<dev.crossgate.traffic.RouteTraffic>();
    for (int i = 0; i < 60; i++) {
      routes.add(
          new dev.crossgate.traffic.RouteTraffic(
              "rt_" + i,
              "shop",
              "v1",
              100 - i,
              1,
              100 - i,
              new java.util.TreeMap<>(java.util.Map.of(0.005, 10L, 0.25, 100L - i))));
    }
    var sent =
        new ClusterMessage.Heartbeat(
            3, "0123456789abcdef", new ClusterMessage.NodeReport(List.of(), List.of(), routes));

    var read =
        (ClusterMessage.Heartbeat) Json.mapper().readValue(Json.write(sent), ClusterMessage.class);

    assertThat(read).isEqualTo(sent);
    assertThat(read.traffic()).hasSize(ClusterMessage.NodeReport.MAX_TRAFFIC_ROUTES);
    assertThat(read.traffic().get(0).buckets()).containsEntry(0.25, 100L);
  }
}
