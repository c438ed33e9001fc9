package dev.crossgate.gateway.observe;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static dev.crossgate.trace.OtlpReceiver.hex;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.extension.Extension;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.TenantServer;
import dev.crossgate.gateway.kit.TenantServer.Answer;
import dev.crossgate.trace.OtlpReceiver;
import dev.crossgate.trace.Tracing;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.http.HttpMethod;
import java.time.Instant;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Tracing end to end: a real OTLP/HTTP receiver on loopback decodes what the SDK's exporter sends
 * (the OTLP protobuf classes), a real tenant server answers the extension, a real upstream records
 * the {@code traceparent} it was sent.
 */
class TracingTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";

  private final ListAppender<ILoggingEvent> access = new ListAppender<>();
  private GatewayKit kit;
  private OtlpReceiver receiver;
  private TenantServer tenant;

  @BeforeEach
  void captureAccessLog() {
    access.start();
    ((Logger) LoggerFactory.getLogger("crossgate.access")).addAppender(access);
  }

  @AfterEach
  void stop() {
    ((Logger) LoggerFactory.getLogger("crossgate.access")).detachAppender(access);
    if (tenant != null) {
      tenant.close();
    }
    if (receiver != null) {
      receiver.close();
    }
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void aCallThroughAnExtensionFlowIsOneTraceAndTheUpstreamsParentIsTheProxySpan() {
    var tracing = startWithTracing(1.0);
    tenant.answer(
        "order.validate",
        call -> Answer.ok("{\"request\":{\"headers\":{\"x-validated\":\"yes\"}}}"));
    kit.extensions(remoteExtension("order.validate"));
    kit.routes(
        route("orders", "/orders", kit.target("/backend"))
            .keyAuth()
            .flow("ext:order.validate", "proxy")
            .build());

    var reply =
        kit.send(
            HttpMethod.POST,
            "/orders/1",
            "{\"order\":1}",
            "X-Api-Key",
            kit.apiKey("acme"),
            "Content-Type",
            "application/json",
            "traceparent",
            "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01");
    tracing.flush();

    assertThat(reply.status()).isEqualTo(200);
    Awaitility.await().until(() -> receiver.spans().size() >= 3);
    assertThat(receiver.spans()).extracting(s -> hex(s.getTraceId())).containsOnly(TRACE_ID);
    assertThat(receiver.serviceNames()).contains("crossgate-test");
    var server = receiver.only("POST");
    var extension = receiver.only("extension order.validate");
    var proxy = receiver.only("proxy");
    assertThat(server.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(hex(server.getParentSpanId())).isEqualTo(CALLER_SPAN);
    assertThat(extension.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(extension.getParentSpanId()).isEqualTo(server.getSpanId());
    assertThat(proxy.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(proxy.getParentSpanId()).isEqualTo(server.getSpanId());
    var proxySpan = hex(proxy.getSpanId());
    var atUpstream = kit.upstream.next();
    assertThat(atUpstream.headers().get("x-validated")).isEqualTo("yes");
    assertThat(atUpstream.headers().get("traceparent"))
        .isEqualTo("00-" + TRACE_ID + "-" + proxySpan + "-01");
    assertThat(proxySpan).isNotEqualTo(CALLER_SPAN);
    Awaitility.await().until(() -> access.list.size() == 1);
    assertThat(access.list.get(0).getFormattedMessage()).contains("traceId=" + TRACE_ID);
  }

  @Test
  void anUnsampledCallerIsNotRecordedYetTheUpstreamStillGetsANewSpanId() {
    var tracing = startWithTracing(1.0);
    kit.routes(route("plain", "/plain", kit.target("/backend")).build());

    var reply = kit.get("/plain", "traceparent", "00-" + TRACE_ID + "-" + CALLER_SPAN + "-00");
    tracing.flush();

    assertThat(reply.status()).isEqualTo(200);
    var sent = kit.upstream.next().headers().get("traceparent");
    assertThat(sent).startsWith("00-" + TRACE_ID + "-").endsWith("-00");
    assertThat(sent).doesNotContain(CALLER_SPAN);
    assertThat(receiver.spans()).isEmpty();
  }

  @Test
  void withTracingOffNoSpanIsMadeAndTheCallersTraceparentPassesUntouched() {
    kit = GatewayKit.start();
    kit.routes(route("plain", "/plain", kit.target("/backend")).build());
    var traceparent = "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01";

    var reply = kit.get("/plain", "traceparent", traceparent);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(kit.upstream.next().headers().get("traceparent")).isEqualTo(traceparent);
    assertThat(Tracing.OFF.on()).isFalse();
  }

  /** A gateway tracing to a receiver on loopback, and a tenant server for its extensions. */
  private Tracing startWithTracing(double ratio) {
    receiver = OtlpReceiver.start();
    var tracing = Tracing.otlp(receiver.endpoint(), ratio, "crossgate-test");
    kit =
        GatewayKit.start(
            GatewayOptions.defaults()
                .withEventLoops(1)
                .withEgress(EgressPolicy.allowing("127.0.0.1/32")),
            GatewayServices.NONE.withTracing(tracing));
    tenant = TenantServer.start(kit.vertx);
    return tracing;
  }

  private Extension remoteExtension(String id) {
    return new Extension(
        "acme",
        id,
        "request",
        tenant.endpoint(id),
        Extension.Protocol.HTTP,
        Extension.Connection.POOLED,
        2_000,
        Extension.FailurePolicy.FAIL_CLOSED,
        null,
        List.of(new Extension.Version("v1", 1, null)),
        List.of(),
        null,
        Instant.EPOCH,
        Instant.EPOCH,
        1);
  }
}
