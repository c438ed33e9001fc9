package dev.crossgate.app;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged {@code crossgate.jar} running as a real child process, its output captured line by
 * line. Tests wait for the "ready" line instead of sleeping.
 */
public final class CrossgateProcess implements AutoCloseable {
  private static final Path JAR = Path.of("target", "crossgate.jar");
  private static final java.util.Set<String> SERVER_ROLES =
      java.util.Set.of("standalone", "gateway", "admin");

  private final Process process;
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final Thread reader;

  private CrossgateProcess(List<String> launcher, List<String> args) throws IOException {
    var command = new ArrayList<String>(launcher);
    command.addAll(args);
    // a server role stopped by a test need not wait out the load balancers' drain period;
    // DrainIT sets its own to watch the drain
    if (!args.isEmpty() && SERVER_ROLES.contains(args.get(0)) && !args.contains("--drain-period")) {
      command.add("--drain-period");
      command.add("PT0S");
    }
    var builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("CROSSGATE_ADMIN_TOKEN");
    builder.environment().put("CROSSGATE_JAVA_OPTS", "-Xmx256m");
    this.process = builder.start();
    this.reader =
        new Thread(
            () -> {
              try (var in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException ignored) {
                // process ended
              }
            },
            "crossgate-output");
    reader.setDaemon(true);
    reader.start();
  }

  public static CrossgateProcess start(String... args) throws IOException {
    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new CrossgateProcess(
        // -XX:+ExitOnOutOfMemoryError as ./crossgate runs it
        List.of(
            java,
            "-Xmx256m",
            "-XX:+ExitOnOutOfMemoryError",
            "-jar",
            JAR.toAbsolutePath().toString()),
        List.of(args));
  }

  /**
   * {@code standalone} on {@code dataDir} with ephemeral admin and gateway ports, and {@code more}.
   */
  public static CrossgateProcess standalone(Path dataDir, String... more) throws IOException {
    var args =
        new ArrayList<String>(
            List.of(
                "standalone",
                "--data-dir",
                dataDir.toString(),
                "--admin-port",
                "0",
                "--gateway-port",
                "0"));
    args.addAll(List.of(more));
    return start(args.toArray(String[]::new));
  }

  /**
   * A cluster control plane ({@code admin}) on PostgreSQL at {@code dbUrl}, with an ephemeral admin
   * port, {@code adminToken} and the cluster token in {@code clusterTokenFile}.
   */
  public static CrossgateProcess controlPlane(
      String dbUrl, Path dataDir, String adminToken, Path clusterTokenFile) throws IOException {
    return start(
        "admin",
        "--db",
        dbUrl,
        "--db-user",
        "postgres",
        "--admin-port",
        "0",
        "--data-dir",
        dataDir.toString(),
        "--admin-token",
        adminToken,
        "--cluster-token-file",
        clusterTokenFile.toString());
  }

  /** A gateway node {@code nodeId} of the control plane at {@code admin}, ephemeral ports. */
  public static CrossgateProcess node(
      String admin, String nodeId, Path clusterTokenFile, Path dataDir) throws IOException {
    return start(
        "gateway",
        "--control-plane",
        admin,
        "--node-id",
        nodeId,
        "--cluster-token-file",
        clusterTokenFile.toString(),
        "--gateway-port",
        "0",
        "--node-admin-port",
        "0",
        "--data-dir",
        dataDir.toString());
  }

  /** Runs {@code launcher} (e.g. a release archive's {@code bin/crossgate}) with {@code args}. */
  /**
   * A request to a role's HTTP port with {@code token} as the bearer, {@code body} (null for none)
   * as JSON: how the process tests call the Admin API, the gateway and {@code /metrics} alike.
   */
  public static java.net.http.HttpRequest authorized(
      String method, String url, String token, String body) {
    var request =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
            .header("Authorization", "Bearer " + token)
            .method(
                method,
                body == null
                    ? java.net.http.HttpRequest.BodyPublishers.noBody()
                    : java.net.http.HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return request.build();
  }

  public static CrossgateProcess launch(Path launcher, String... args) throws IOException {
    return new CrossgateProcess(List.of(launcher.toString()), List.of(args));
  }

  /** Waits for the line matching {@code regex} and returns its match. */
  public Matcher awaitLine(String regex, Duration timeout) {
    var pattern = Pattern.compile(regex);
    var found = new Matcher[1];
    await()
        .atMost(timeout)
        .until(
            () -> {
              synchronized (lines) {
                for (var line : lines) {
                  var m = pattern.matcher(line);
                  if (m.find()) {
                    found[0] = m;
                    return true;
                  }
                }
              }
              if (!process.isAlive()) {
                throw new AssertionError(
                    "crossgate exited with "
                        + process.exitValue()
                        + ":\n"
                        + String.join("\n", lines));
              }
              return false;
            });
    return found[0];
  }

  public long pid() {
    return process.pid();
  }

  public boolean printed(String fragment) {
    synchronized (lines) {
      return lines.stream().anyMatch(l -> l.contains(fragment));
    }
  }

  public String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  /** SIGTERM, as Ctrl-C or an orchestrator would send; returns the exit code. */
  public int stop() throws InterruptedException, IOException {
    terminate();
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("crossgate did not stop within 30 s:\n" + output());
    }
    reader.join(10_000); // the last lines are read once the pipe closes
    return process.exitValue();
  }

  /** Sends SIGTERM and returns at once, while the process drains and stops. */
  public void terminate() throws InterruptedException, IOException {
    // not process.destroy(): the JDK closes our end of the output pipe with it, losing the last
    // lines
    new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
  }

  /** Waits for a command that ends by itself (e.g. {@code send}); returns its exit code. */
  int waitFor(java.time.Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("crossgate did not finish within " + timeout + ":\n" + output());
    }
    reader.join(10_000);
    return process.exitValue();
  }

  /** SIGKILL, as the OOM killer or a power cut would end it; returns once the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      throw new AssertionError("crossgate survived SIGKILL for 30 s");
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
