package dev.crossgate.app;

import dev.crossgate.health.Readiness;
import dev.crossgate.store.OwnerOnlyFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Runs a role until the JVM is asked to stop: starts it, waits, and on SIGINT/SIGTERM drains it
 * ({@code /readyz} turns 503 for the drain period while the listeners still serve, so load
 * balancers stop sending new requests first), then closes it (servers finish in-flight requests,
 * pools close) before the JVM exits. The data dir is made owner-only (700, files 600) before the
 * role starts, and again once it runs, for the files the role's libraries created with the process
 * umask (H2's database files on a first start).
 */
final class RoleRunner {
  private static final Logger LOG = LoggerFactory.getLogger(RoleRunner.class);
  private static final long SHUTDOWN_SECONDS = 30;

  private RoleRunner() {}

  /**
   * A role that runs.
   *
   * @param readiness what its {@code /readyz} answers, drained first on shutdown; null: it has none
   * @param close stops it
   */
  record Running(Readiness readiness, Supplier<Future<Void>> close) {}

  /**
   * Returns the process exit code. {@code start} completes once the role runs; {@code command} is
   * the role's parsed command (its name is the role, its port flags name a port in use).
   */
  static int run(
      CommandSpec command,
      Vertx vertx,
      Path dataDir,
      Duration drainPeriod,
      Supplier<Future<Running>> start) {
    var role = command.name();
    Running running;
    try {
      restrict(dataDir);
      running = start.get().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
      restrict(dataDir);
    } catch (Exception e) {
      if (DbCommand.embeddedStoreDamaged(e)) {
        // one line an operator can act on; the stack trace is for whoever debugs H2
        LOG.error("crossgate {} failed to start: {}", role, DbCommand.recoveryHint(dataDir));
        LOG.debug("embedded database failure", e);
        vertx.close();
        return 1;
      }
      if (isPortInUse(e)) {
        LOG.debug("bind failure", e);
        closeNow(vertx); // our own listeners let go of their ports before the others are probed
        LOG.error("crossgate {} failed to start: {}", role, portInUse(command));
        return 1;
      }
      LOG.error("crossgate {} failed to start: {}", role, e.getMessage(), e);
      vertx.close();
      return 1;
    }
    var stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("crossgate {} stopping", role);
                  try {
                    drain(role, running.readiness(), drainPeriod);
                    running
                        .close()
                        .get()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
                    // closed from this thread, not chained on the role's future: that future's
                    // callbacks
                    // would run on an event loop that Vert.x is shutting down
                    vertx
                        .close()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
                    LOG.info("crossgate {} stopped", role);
                  } catch (Exception e) {
                    LOG.warn("crossgate {} did not stop cleanly: {}", role, e.getMessage());
                  }
                  stopped.countDown();
                },
                "crossgate-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static boolean isPortInUse(Throwable e) {
    for (var t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  /** Which of the role's port flags holds a port another process has. */
  private static String portInUse(CommandSpec command) {
    var flags = new ArrayList<String>();
    for (var option : command.options()) {
      if (option.longestName().endsWith("-port") && option.getValue() instanceof Integer port) {
        if (port > 0 && !free(port)) {
          return "port "
              + port
              + " ("
              + option.longestName()
              + ") is in use by another process; stop it or choose another port with "
              + option.longestName();
        }
        flags.add(option.longestName() + " " + port);
      }
    }
    return "a port is in use by another process (" + String.join(", ", flags) + ")";
  }

  private static void closeNow(Vertx vertx) {
    try {
      vertx
          .close()
          .toCompletionStage()
          .toCompletableFuture()
          .get(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.debug("close after a failed start", e);
    }
  }

  private static boolean free(int port) {
    try (var socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void drain(String role, Readiness readiness, Duration period)
      throws InterruptedException {
    if (readiness == null) {
      return;
    }
    readiness.drain();
    if (!period.isZero()) {
      LOG.info("event=draining role={} drainPeriodMs={}", role, period.toMillis());
      // the wait is the point: probers see 503 and take this process out before its listeners close
      Thread.sleep(period.toMillis());
    }
  }

  private static void restrict(Path dataDir) throws java.io.IOException {
    int widened = OwnerOnlyFiles.restrict(dataDir);
    if (widened > 0) {
      LOG.info(
          "event=data-dir-restricted dir={} entries={} mode=\"700 dirs, 600 files\"",
          dataDir.toAbsolutePath().normalize(),
          widened);
    }
  }
}
