package dev.crossgate.store;

import static dev.crossgate.store.route.RouteSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.route.RouteRepository;
import java.time.Clock;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ChangeLogConcurrencyTest {
  private static final int CLIENTS = 8;
  private static final int WRITES_PER_CLIENT = 40;

  @Test
  void parallelWritersOnPostgresGetOneGapFreeRevisionPerWrite() throws Exception {
    try (var db = TestDatabases.postgres()) {
      var log = new ChangeLog(db.database());
      var routes = new RouteRepository(db.database(), log, Clock.systemUTC(), r -> {});
      var pool = Executors.newFixedThreadPool(CLIENTS);
      var start = new CountDownLatch(1);
      var succeeded = new AtomicInteger();
      var refused = new AtomicInteger();
      var futures = new ArrayList<Future<?>>();

      for (int client = 0; client < CLIENTS; client++) {
        int c = client;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < WRITES_PER_CLIENT; i++) {
                    var created = routes.create(spec("/c" + c + "/r" + i, "v1"), "client-" + c);
                    routes.replace(
                        created.id(),
                        spec("/c" + c + "/r" + i, "v2"),
                        "client-" + c,
                        created.revision());
                    succeeded.addAndGet(2);
                    try {
                      // every client also races for one shared source: exactly one create may win
                      routes.create(spec("/shared/" + i, "v1"), "client-" + c);
                      succeeded.incrementAndGet();
                    } catch (ProblemException e) {
                      refused.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (var f : futures) {
        f.get(2, TimeUnit.MINUTES);
      }
      pool.shutdown();

      var changes = log.after(0, 100_000);
      assertThat(changes).hasSize(succeeded.get());
      assertThat(changes.stream().mapToLong(c -> c.revision()).toArray())
          .containsExactly(LongStream.rangeClosed(1, succeeded.get()).toArray());
      assertThat(log.latestRevision()).isEqualTo(succeeded.get());
      assertThat(refused.get()).isEqualTo((CLIENTS - 1) * WRITES_PER_CLIENT);
      assertThat(routes.all()).hasSize(CLIENTS * WRITES_PER_CLIENT + WRITES_PER_CLIENT);
    }
  }
}
