package dev.crossgate.gateway.security;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static dev.crossgate.gateway.security.HostHeaderAttackTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The gateway is no tunnel and no mirror: CONNECT (RFC 9110 section 9.3.6) answered 200 with an
 * empty body and an ERROR log, and TRACE (section 9.3.8) would echo a caller's cookies and
 * credentials back. Both are 405 with Allow now, quietly, and nothing reaches an upstream.
 */
class ConnectAndTraceTest {
  private final GatewayKit kit = GatewayKit.start();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void routesAndLog() {
    kit.routes(route("catch-all", "/", kit.target("/up")).build());
    log.start();
    root.addAppender(log);
  }

  @AfterEach
  void close() {
    root.detachAppender(log);
    kit.close();
  }

  @Test
  void connectIsRefusedWith405AndNoErrorIsLogged() {
    var response =
        RawHttp.send(
            kit.port(),
            "CONNECT 127.0.0.1:" + kit.upstream.port() + " HTTP/1.1",
            "Host: 127.0.0.1:" + kit.upstream.port());

    assertProblem(response, 405, "method-not-allowed");
    assertThat(response.header("Allow")).doesNotContain("CONNECT").contains("GET");
    assertThat(response.header("Connection")).isEqualTo("close");
    assertThat(kit.upstream.receivedNothing()).isTrue();
    assertThat(log.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR));
  }

  @Test
  void connectWithAnOriginFormTargetIsRefusedWith405Too() {
    var response =
        RawHttp.send(kit.port(), "CONNECT /up HTTP/1.1", "Host: 127.0.0.1", "Connection: close");

    assertProblem(response, 405, "method-not-allowed");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void traceIsRefusedWith405AndTheCallersHeadersAreNotEchoed() {
    var response =
        RawHttp.send(
            kit.port(),
            "TRACE /anything HTTP/1.1",
            "Host: 127.0.0.1",
            "Cookie: session=secret",
            "Connection: close");

    assertProblem(response, 405, "method-not-allowed");
    assertThat(response.header("Allow")).doesNotContain("TRACE");
    assertThat(response.body()).doesNotContain("secret");
    assertThat(kit.upstream.receivedNothing()).isTrue();
    assertThat(log.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR));
  }
}
