package dev.crossgate.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.egress.EgressClient;
import dev.crossgate.egress.EgressPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.lang.ref.Reference;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetDeliveryTest {
  @Test
  void chunksAreStreamedToTheTargetAsOneRequestInOrder() throws Exception {
    var a = Chunks.randomBytes(70_000, 1);
    var b = Chunks.randomBytes(5_000, 2);
    var stored = Map.of(0L, Buffer.buffer(a), 1L, Buffer.buffer(b));
    var vertx = Vertx.vertx();
    try (var target = new FakeTarget(Vertx.vertx())) {
      var client = vertx.createHttpClient();
      // the fake target listens on loopback, which the egress policy refuses unless allowed
      var delivery =
          new TargetDelivery(
              client, EgressClient.create(vertx, client, EgressPolicy.allowing("127.0.0.1/32")));

      var result =
          Harness.await(
              delivery.deliver(
                  target.url("/in"),
                  "acme",
                  "t1",
                  List.of(0L, 1L),
                  n -> Future.succeededFuture(stored.get(n)),
                  a.length + b.length,
                  null,
                  null));

      assertThat(result.delivered()).as(result.summary()).isTrue();
      // tracing off: no traceparent is invented for the target
      assertThat(target.deliveries().get(0).traceparent()).isNull();
      var expected = new byte[a.length + b.length];
      System.arraycopy(a, 0, expected, 0, a.length);
      System.arraycopy(b, 0, expected, a.length, b.length);
      assertThat(target.deliveries())
          .singleElement()
          .satisfies(d -> assertThat(d.body().getBytes()).isEqualTo(expected));
      // Vert.x closes a client nobody references once it is collected: not before the end
      Reference.reachabilityFence(client);
    } finally {
      Harness.await(vertx.close());
    }
  }
}
