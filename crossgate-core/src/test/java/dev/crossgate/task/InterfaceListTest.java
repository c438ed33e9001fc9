package dev.crossgate.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.json.Json;
import dev.crossgate.route.Route;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code GET /_interfaces} as the gateway writes it and the agent reads it. */
class InterfaceListTest {

  @Test
  void anInterfaceListReadsBackAsTheGatewayWroteItAndToleratesAShortOne() {
    var declared =
        new InterfaceDeclaration(
            "r1",
            "reports",
            null,
            null,
            "/report",
            "/async/report",
            null,
            List.of("POST"),
            Route.Mode.ASYNC,
            Route.AsyncExecution.CALLBACK,
            List.of(new Route.Param("city", "string", true)),
            Route.Auth.KEY);
    var written =
        Json.write(new InterfaceList(7L, new InterfaceList.Markers("/s", "/a"), List.of(declared)));

    var read = Json.read(written, InterfaceList.class);
    var shortOne =
        Json.read(
            "{\"interfaces\":[{\"id\":\"r\",\"sourcePath\":\"/q\",\"requestPath\":\"/sync/q\"}]}",
            InterfaceList.class);

    assertThat(written)
        .isEqualTo(
            "{\"revision\":7,\"markers\":{\"sync\":\"/s\",\"async\":\"/a\"},\"interfaces\":[{"
                + "\"id\":\"r1\",\"service\":\"reports\",\"sourcePath\":\"/report\",\"requestPath\":\"/async/report\","
                + "\"methods\":[\"POST\"],\"mode\":\"ASYNC\",\"asyncExecution\":\"CALLBACK\","
                + "\"params\":[{\"name\":\"city\",\"type\":\"string\",\"required\":true}],\"auth\":\"KEY\"}]}");
    assertThat(read)
        .isEqualTo(new InterfaceList(7L, new InterfaceList.Markers("/s", "/a"), List.of(declared)));
    assertThat(shortOne.markers()).isEqualTo(InterfaceList.Markers.DEFAULT);
    assertThat(shortOne.interfaces().get(0).mode()).isEqualTo(Route.Mode.SYNC);
    assertThat(shortOne.interfaces().get(0).params()).isEmpty();
  }
}
