package dev.crossgate.gateway.proxy;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.crossgate.gateway.kit.GatewayKit;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A client that goes away mid-response is an everyday event: counted, logged quietly, never an
 * error.
 */
class ClientAbortTest {
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void capture() {
    logs.start();
    root().addAppender(logs);
  }

  @AfterEach
  void release() {
    root().detachAppender(logs);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @Test
  void aClientThatHangsUpMidBodyIsCountedAndLoggedWithoutAnError() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("big", "/big", kit.target("/source")).build());
      var chunk = Buffer.buffer(new byte[64 * 1024]);
      kit.upstream.respondWith(
          req -> {
            var response = req.response().putHeader("Content-Length", Long.toString(1L << 30));
            long timer =
                kit.vertx.setPeriodic(
                    5,
                    t -> {
                      if (!response.writeQueueFull()) {
                        response.write(chunk);
                      }
                    });
            response.closeHandler(v -> kit.vertx.cancelTimer(timer));
          });

      var received = Promise.<Integer>promise();
      var client = kit.vertx.createNetClient(new NetClientOptions());
      client
          .connect(kit.port(), "127.0.0.1")
          .onSuccess(
              socket -> {
                var count = new int[1];
                socket.handler(
                    b -> {
                      count[0] += b.length();
                      if (count[0] > 256 * 1024 && !received.future().isComplete()) {
                        received.complete(count[0]);
                        socket.close();
                      }
                    });
                socket.write("GET /big HTTP/1.1\r\nHost: gw\r\n\r\n");
              });
      assertThat(GatewayKit.await(received.future())).isGreaterThan(256 * 1024);

      Awaitility.await()
          .untilAsserted(
              () ->
                  assertThat(kit.gateway().metrics().scrape())
                      .contains(
                          "crossgate_client_aborts_total{route=\"big\",service=\"svc\",version=\"-\"} 1.0"));
      Awaitility.await().until(() -> accessLines().size() == 1);
      assertThat(accessLines().get(0)).contains("status=200", "aborted=true");
      assertThat(logs.list)
          .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
          .extracting(ILoggingEvent::getFormattedMessage)
          .isEmpty();
    }
  }

  private List<String> accessLines() {
    return logs.list.stream()
        .filter(e -> e.getLoggerName().equals("crossgate.access"))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }
}
