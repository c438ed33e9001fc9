package dev.crossgate.gateway.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One tenant's burst of WebAssembly calls waits behind its own calls, in a bounded queue, for a
 * bounded time.
 */
class WasmSchedulerTest {
  private final Vertx vertx = Vertx.vertx();
  private final List<String> started = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

  @AfterEach
  void close() {
    gates.values().forEach(CountDownLatch::countDown);
    vertx.close().await();
  }

  private WasmScheduler scheduler(int queuePerTenant, Duration maxWait) {
    return new WasmScheduler(
        vertx, vertx.createSharedWorkerExecutor("wasm-test", 1), 1, queuePerTenant, maxWait);
  }

  /** A call that records its start and then holds its thread until {@link #release}. */
  private Future<String> call(WasmScheduler scheduler, String tenant, String name) {
    gates.put(name, new CountDownLatch(1));
    return scheduler.submit(
        tenant,
        () -> {
          started.add(name);
          gates.get(name).await();
          return name;
        });
  }

  private void release(String name) {
    gates.get(name).countDown();
  }

  @Test
  void anotherTenantsCallIsServedBeforeTheRestOfABurst() {
    var scheduler = scheduler(16, Duration.ofMinutes(1));
    var burst = new ArrayList<Future<String>>();
    burst.add(call(scheduler, "acme", "a1"));
    await().until(() -> started.contains("a1"));
    for (int i = 2; i <= 5; i++) {
      burst.add(call(scheduler, "acme", "a" + i));
    }
    var other = call(scheduler, "globex", "g1");

    for (var name : List.of("a1", "a2", "g1", "a3", "a4", "a5")) {
      await().until(() -> started.contains(name));
      release(name);
    }

    assertThat(other.await()).isEqualTo("g1");
    assertThat(started).containsExactly("a1", "a2", "g1", "a3", "a4", "a5");
    assertThat(burst).allSatisfy(f -> assertThat(f.await()).startsWith("a"));
  }

  @Test
  void aCallOverItsTenantsQueueBoundFailsAtOnceAsBusy() {
    var scheduler = scheduler(2, Duration.ofMinutes(1));
    call(scheduler, "acme", "a1");
    await().until(() -> started.contains("a1"));
    call(scheduler, "acme", "a2");
    call(scheduler, "acme", "a3");

    var overflow = call(scheduler, "acme", "a4");
    var otherTenant = call(scheduler, "globex", "g1");

    assertThat(overflow.failed()).isTrue();
    assertThat(overflow.cause())
        .isInstanceOf(ExtensionFailure.class)
        .satisfies(
            e -> assertThat(((ExtensionFailure) e).kind()).isEqualTo(ExtensionFailure.Kind.BUSY));
    assertThat(otherTenant.isComplete()).as("another tenant's queue is its own").isFalse();
    assertThat(scheduler.queued()).isEqualTo(3);
  }

  @Test
  void aCallThatWaitsLongerThanTheQueueWaitFailsAsBusyAndNeverRuns() {
    var scheduler = scheduler(16, Duration.ofMillis(200));
    call(scheduler, "acme", "a1");
    await().until(() -> started.contains("a1"));

    var waiting = call(scheduler, "acme", "a2");
    await().atMost(Duration.ofSeconds(10)).until(waiting::isComplete);
    release("a1");
    var next = call(scheduler, "acme", "a3");
    await().until(() -> started.contains("a3"));
    release("a3");

    assertThat(waiting.failed()).isTrue();
    assertThat(((ExtensionFailure) waiting.cause()).kind()).isEqualTo(ExtensionFailure.Kind.BUSY);
    assertThat(next.await()).isEqualTo("a3");
    assertThat(started).containsExactly("a1", "a3");
  }
}
