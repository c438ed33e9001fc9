package dev.crossgate.store.cache;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/**
 * Redis for tests: the machine's server (env {@code CROSSGATE_TEST_REDIS}, default
 * redis://127.0.0.1:6379), or a private {@code redis-server} process on a free port that a test can
 * kill to cause a real outage.
 */
public final class RedisServers {
  private RedisServers() {}

  public static String sharedUri() {
    var env = System.getenv("CROSSGATE_TEST_REDIS");
    return env == null || env.isBlank() ? "redis://127.0.0.1:6379" : env;
  }

  /** A redis-server of our own; {@link #close()} kills it. */
  public static final class Private implements AutoCloseable {
    private final Process process;
    public final int port;

    public Private() throws IOException {
      this(freePort());
    }

    /** A server on {@code port}: a restarted one, after {@link #close()} of the one before. */
    public Private(int port) throws IOException {
      this.port = port;
      process =
          new ProcessBuilder(
                  "redis-server",
                  "--port",
                  Integer.toString(port),
                  "--bind",
                  "127.0.0.1",
                  "--save",
                  "",
                  "--appendonly",
                  "no")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(
              () -> {
                try (var s = new Socket()) {
                  s.connect(new InetSocketAddress("127.0.0.1", port));
                  return true;
                }
              });
    }

    private static int freePort() throws IOException {
      try (var socket = new ServerSocket(0)) {
        return socket.getLocalPort();
      }
    }

    public String uri() {
      return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
      process.destroyForcibly();
      // onExit, not waitFor: AutoCloseable.close must not throw InterruptedException (javac
      // -Xlint:try)
      process.onExit().join();
    }
  }
}
