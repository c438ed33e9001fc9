package dev.crossgate.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own: {@code initdb} into a temporary directory, started with
 * {@code pg_ctl} on a free loopback port with trust authentication. Tests that restart or kill the
 * database use this, never the machine's shared server. As root, the server runs as the {@code
 * postgres} system user (PostgreSQL refuses to run as root).
 */
public final class PrivatePostgres implements AutoCloseable {
  private final Path dir;
  private final Path bin;
  private final int port;
  private final boolean asPostgresUser;

  private PrivatePostgres(Path dir, Path bin, int port, boolean asPostgresUser) {
    this.dir = dir;
    this.bin = bin;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  /** Creates and starts the cluster; fails the test loudly when PostgreSQL is not installed. */
  public static PrivatePostgres start() {
    try {
      var bin = binDirectory();
      var asPostgresUser = "root".equals(System.getProperty("user.name"));
      var dir = Files.createTempDirectory("crossgate-pg");
      int port;
      try (var socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      var pg = new PrivatePostgres(dir, bin, port, asPostgresUser);
      if (asPostgresUser) {
        pg.run("chown", "postgres:postgres", dir.toString());
      }
      pg.runAsOwner(
          bin.resolve("initdb").toString(),
          "-D",
          dir.resolve("data").toString(),
          "-U",
          "postgres",
          "--auth=trust",
          "--no-sync",
          "-E",
          "UTF8");
      pg.pgCtl("start");
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 127.0.0.1:<port>}, for {@link TestDatabases#postgres(String)}. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  /** A fast restart ({@code pg_ctl restart -m fast}): connections are cut, committed data stays. */
  public void restart() {
    pgCtl("restart");
  }

  /**
   * SIGKILL to the postmaster and its children, as a crash would end them, then a start: the server
   * replays its WAL. Returns once it accepts connections again.
   */
  public void killPostmaster() {
    try {
      long pid =
          Long.parseLong(Files.readAllLines(dir.resolve("data/postmaster.pid")).get(0).trim());
      var postmaster =
          ProcessHandle.of(pid)
              .orElseThrow(() -> new IllegalStateException("no postmaster " + pid));
      var all = new ArrayList<ProcessHandle>(postmaster.descendants().toList());
      all.add(postmaster);
      all.forEach(ProcessHandle::destroyForcibly);
      all.forEach(p -> p.onExit().join());
      pgCtl("start");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the server (fast shutdown); {@link #start()} it again with {@link #restart()}. */
  public void stop() {
    pgCtl("stop");
  }

  @Override
  public void close() {
    try {
      pgCtl("stop");
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temp dir left behind is harmless
      }
    }
  }

  private void pgCtl(String action) {
    runAsOwner(
        bin.resolve("pg_ctl").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-m",
        "fast",
        "-w",
        "-t",
        "60",
        "-l",
        dir.resolve("server.log").toString(),
        "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
        action);
    if (!action.equals("stop")) {
      awaitAccepting();
    }
  }

  private void awaitAccepting() {
    var deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (true) {
      try (var c =
          DriverManager.getConnection(
              "jdbc:postgresql://" + hostPort() + "/postgres", "postgres", null)) {
        if (c.isValid(2)) {
          return;
        }
      } catch (java.sql.SQLException e) {
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException(
              "the private PostgreSQL did not accept connections: " + e.getMessage(), e);
        }
      }
      Thread.onSpinWait();
    }
  }

  private void runAsOwner(String... command) {
    var full = new ArrayList<String>();
    if (asPostgresUser) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(List.of(command));
    run(full.toArray(String[]::new));
  }

  private void run(String... command) {
    try {
      var process = new ProcessBuilder(command).redirectErrorStream(true).start();
      var output = new String(process.getInputStream().readAllBytes());
      if (process.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path binDirectory() throws IOException {
    var root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException(
          "PostgreSQL server binaries are required (Debian package postgresql)");
    }
    try (var versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(
              Comparator.comparing(
                  b ->
                      Integer.parseInt(
                          b.getParent().getFileName().toString().replaceAll("\\D", ""))))
          .orElseThrow(() -> new IllegalStateException("no initdb under " + root));
    }
  }
}
