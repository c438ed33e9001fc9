package dev.crossgate.gateway.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetDeliveryTest {
  @TempDir Path dir;

  @Test
  void chunkFilesAreStreamedToTheTargetAsOneRequestInOrder() throws Exception {
    var a = Chunks.randomBytes(70_000, 1);
    var b = Chunks.randomBytes(5_000, 2);
    Files.write(dir.resolve("0.chunk"), a);
    Files.write(dir.resolve("1.chunk"), b);
    var vertx = Vertx.vertx();
    try (var target = new FakeTarget(Vertx.vertx())) {
      var delivery = new TargetDelivery(vertx, vertx.createHttpClient());

      var result = Harness.await(delivery.deliver(target.url("/in"), "t1",
          List.of(dir.resolve("0.chunk"), dir.resolve("1.chunk")), a.length + b.length, null));

      assertThat(result.delivered()).as(result.summary()).isTrue();
      var expected = new byte[a.length + b.length];
      System.arraycopy(a, 0, expected, 0, a.length);
      System.arraycopy(b, 0, expected, a.length, b.length);
      assertThat(target.deliveries()).singleElement().satisfies(d -> assertThat(d.body().getBytes()).isEqualTo(expected));
    } finally {
      Harness.await(vertx.close());
    }
  }
}
