import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The client side of bench/cluster/run.sh: writes through a control plane's Admin API and probes
 * the traffic ports of gateway nodes (separate processes) until they serve what was written. No
 * dependencies: {@code java Propagation.java <command> ...}.
 *
 * <pre>
 *   preload ADMIN TOKEN UPSTREAM COUNT IDS_FILE      routes /svcI/items -> UPSTREAM, 5,000 per batch
 *   await-nodes ADMIN TOKEN NODES TIMEOUT_S          until NODES nodes report the control plane's
 *                                                   revision and hash (GET /admin/nodes)
 *   changes ADMIN TOKEN UPSTREAM WARMUP CHANGES NODE_URL...  WARMUP + CHANGES sequential route
 *                                                   creates, each timed until every node serves it
 *                                                   from the upstream; the first WARMUP not counted
 *   revert ADMIN TOKEN UPSTREAM CHANGES IDS_FILE NODES   CHANGES single changes, one revert of them
 *                                                   all, timed until every node has the hash of
 *                                                   the revision before them
 * </pre>
 *
 * Environment: PROBE_PAUSE_US (500) between two probes of one node.
 */
public final class Propagation {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
  private static final Pattern TOP_REVISION = Pattern.compile("\"revision\":(\\d+)");
  private static final Pattern TOP_HASH = Pattern.compile("\"hash\":\"([0-9a-f]+)\"");
  private static final Pattern NODE =
      Pattern.compile("\\{\"nodeId\":\"[^\"]*\",\"appliedRevision\":(\\d+),\"configHash\":(\"[0-9a-f]*\"|null)");
  private static final Pattern CONNECTED = Pattern.compile("\"connected\":true");
  /** What the bench's nginx upstream answers: proof that a probe went through a route. */
  static final String UPSTREAM_BODY = "crossgate-bench-upstream";

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      usage();
    }
    var admin = args[1];
    var token = args[2];
    switch (args[0]) {
      case "preload" -> preload(admin, token, args[3], Integer.parseInt(args[4]), Path.of(args[5]));
      case "await-nodes" ->
          awaitNodes(admin, token, Integer.parseInt(args[3]), Duration.ofSeconds(Long.parseLong(args[4])));
      case "changes" ->
          changes(
              admin,
              token,
              args[3],
              Integer.parseInt(args[4]),
              Integer.parseInt(args[5]),
              Arrays.asList(args).subList(6, args.length));
      case "revert" ->
          revert(admin, token, args[3], Integer.parseInt(args[4]), Path.of(args[5]), Integer.parseInt(args[6]));
      default -> usage();
    }
  }

  private static void usage() {
    System.err.println("usage: see the comment at the top of Propagation.java");
    System.exit(64);
  }

  private static String route(String path, String target) {
    return "{\"service\":\"bench\",\"sourcePath\":\"" + path + "\",\"targetUrl\":\"" + target + "\"}";
  }

  static void preload(String admin, String token, String upstream, int count, Path idsFile)
      throws Exception {
    long t0 = System.nanoTime();
    var ids = new ArrayList<String>(count);
    for (int from = 0; from < count; from += 5_000) {
      var body = new StringBuilder("[");
      for (int i = from; i < Math.min(count, from + 5_000); i++) {
        body.append(i == from ? "" : ",").append(route("/svc" + i + "/items", upstream + "/r" + i));
      }
      var response = send(admin, token, "POST", "/admin/routes/batch", body.append(']').toString());
      expect(response, 201);
      Matcher m = ID.matcher(response.body());
      while (m.find()) {
        ids.add(m.group(1));
      }
    }
    Files.write(idsFile, ids);
    System.out.printf(
        "preload: %,d routes written in %.1f s (POST /admin/routes/batch, 5,000 a batch)%n",
        ids.size(), (System.nanoTime() - t0) / 1e9);
  }

  /** The control plane's revision and hash, once {@code nodes} connected nodes report both. */
  static String[] awaitNodes(String admin, String token, int nodes, Duration timeout)
      throws Exception {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      var response = send(admin, token, "GET", "/admin/nodes", null);
      expect(response, 200);
      last = response.body();
      var state = nodesState(last);
      if (state != null && state.length - 2 == nodes && CONNECTED.matcher(last).results().count() == nodes) {
        boolean all = true;
        for (int i = 2; i < state.length; i++) {
          all &= state[i].equals(state[0] + " " + state[1]);
        }
        if (all) {
          System.out.printf(
              "nodes: all %d report revision %s hash %s (%.1f s after asking)%n",
              nodes, state[0], state[1], (System.nanoTime() - t0) / 1e9);
          return new String[] {state[0], state[1]};
        }
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the nodes did not catch up: " + last);
  }

  /** [revision, hash, "revision hash" of each node], from a GET /admin/nodes body. */
  private static String[] nodesState(String body) {
    // the top level is {revision, hash, nodes:[...]} in any order: read it with the nodes cut out
    int start = body.indexOf("\"nodes\":[");
    int end = body.lastIndexOf(']');
    if (start < 0 || end < start) {
      return null;
    }
    var top = body.substring(0, start) + body.substring(end + 1);
    var revision = TOP_REVISION.matcher(top);
    var hash = TOP_HASH.matcher(top);
    if (!revision.find() || !hash.find()) {
      return null;
    }
    var result = new ArrayList<>(List.of(revision.group(1), hash.group(1)));
    var node = NODE.matcher(body.substring(start, end + 1));
    while (node.find()) {
      result.add(node.group(1) + " " + node.group(2).replace("\"", ""));
    }
    return result.toArray(String[]::new);
  }

  static void changes(
      String admin, String token, String upstream, int warmup, int changes, List<String> nodes)
      throws Exception {
    var probers = nodes.stream().map(Prober::new).toList();
    probers.forEach(p -> p.thread.start());
    var fromSend = new ArrayList<Long>();
    var from201 = new ArrayList<Long>();
    var answer = new ArrayList<Long>();
    var perNode = new ArrayList<List<Long>>();
    nodes.forEach(n -> perNode.add(new ArrayList<>()));
    long run = System.nanoTime();
    for (int i = -warmup; i < changes; i++) {
      var path = "/chg" + (i + warmup) + "-" + run;
      var done = new CountDownLatch(probers.size());
      long sent = System.nanoTime();
      for (var p : probers) {
        p.probe(path, done);
      }
      var response = send(admin, token, "POST", "/admin/routes", route(path, upstream + "/x"));
      long answered = System.nanoTime();
      expect(response, 201);
      if (!done.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
        throw new IllegalStateException("change " + i + " (" + path + ") not served by every node within 30 s");
      }
      if (i < 0) {
        continue; // a warm-up change: the JIT of every role (and of this client) is still cold
      }
      long served = 0;
      for (int n = 0; n < probers.size(); n++) {
        long at = probers.get(n).servedAt;
        served = Math.max(served, at);
        perNode.get(n).add(at - sent);
      }
      fromSend.add(served - sent);
      from201.add(Math.max(0, served - answered));
      answer.add(answered - sent);
    }
    probers.forEach(Prober::stop);
    System.out.printf(
        "%d sequential route creates (after %d not counted), each probed on %d nodes' traffic ports%n",
        changes, warmup, nodes.size());
    print("201 answered (from sending the write)", answer);
    print("all nodes serve it, from sending the write", fromSend);
    print("all nodes serve it, from the 201", from201);
    for (int n = 0; n < nodes.size(); n++) {
      print("node " + (n + 1) + " serves it, from sending", perNode.get(n));
    }
    long probes = probers.stream().mapToLong(p -> p.probes).sum();
    long probeNanos = probers.stream().mapToLong(p -> p.probeNanos).sum();
    System.out.printf(
        "probes: %,d, %.1f per node per change, mean round trip %.2f ms (+ %d µs pause between two)%n",
        probes,
        probes / (double) (changes + warmup) / nodes.size(),
        probeNanos / 1e6 / probes,
        Prober.PAUSE_NANOS / 1000);
  }

  /**
   * One node's prober: a thread that, given a path, asks the node for it until the answer comes
   * from the upstream, then notes when that answer arrived (an upper bound of when the node began
   * serving it; the bound is one probe round trip plus the pause).
   */
  private static final class Prober {
    private static final long PAUSE_NANOS =
        Long.parseLong(System.getenv().getOrDefault("PROBE_PAUSE_US", "500")) * 1000;
    final String base;
    final Thread thread = new Thread(this::run, "prober");
    final AtomicReference<Task> task = new AtomicReference<>();
    volatile long servedAt;
    volatile boolean stopped;
    long probes;
    long probeNanos;

    record Task(String path, CountDownLatch done) {}

    Prober(String base) {
      this.base = base;
      thread.setDaemon(true);
    }

    void probe(String path, CountDownLatch done) {
      task.set(new Task(path, done));
      LockSupport.unpark(thread);
    }

    void stop() {
      stopped = true;
      LockSupport.unpark(thread);
    }

    private void run() {
      while (!stopped) {
        var t = task.get();
        if (t == null) {
          LockSupport.park();
          continue;
        }
        try {
          var request = HttpRequest.newBuilder(URI.create(base + t.path)).timeout(Duration.ofSeconds(10)).build();
          probes++;
          long probeStart = System.nanoTime();
          var response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
          probeNanos += System.nanoTime() - probeStart;
          if (response.statusCode() == 200 && response.body().contains(UPSTREAM_BODY)) {
            servedAt = System.nanoTime();
            task.compareAndSet(t, null);
            t.done.countDown();
            continue;
          }
          if (response.statusCode() != 404) {
            System.err.println("probe " + base + t.path + ": " + response.statusCode() + " " + response.body());
          }
        } catch (IOException | InterruptedException e) {
          System.err.println("probe " + base + t.path + ": " + e);
        }
        LockSupport.parkNanos(PAUSE_NANOS);
      }
    }
  }

  static void revert(String admin, String token, String upstream, int changes, Path idsFile, int nodes)
      throws Exception {
    var before = awaitNodes(admin, token, nodes, Duration.ofMinutes(5));
    var ids = Files.readAllLines(idsFile);
    long t0 = System.nanoTime();
    for (int i = 0; i < changes; i++) {
      switch (i % 5) {
        case 0, 1 ->
            expect(send(admin, token, "PUT", "/admin/routes/" + ids.get(i), route("/svc-edit" + i + "/items", upstream + "/e")), 200);
        case 2, 3 -> expect(send(admin, token, "POST", "/admin/routes", route("/rev" + i + "/items", upstream + "/n")), 201);
        default -> expect(send(admin, token, "DELETE", "/admin/routes/" + ids.get(i), null), 204);
      }
    }
    System.out.printf("%d changes (updates, creates, deletes) written in %.1f s%n", changes, (System.nanoTime() - t0) / 1e9);
    awaitNodes(admin, token, nodes, Duration.ofMinutes(5));
    long sent = System.nanoTime();
    var response = send(admin, token, "POST", "/admin/changes/revert", "{\"toRevision\":" + before[0] + "}");
    long answered = System.nanoTime();
    expect(response, 200);
    var reverted = awaitHash(admin, token, nodes, before[1], Duration.ofMinutes(5));
    System.out.printf(
        "revert of %d changes to revision %s: answered after %.1f ms, all %d nodes carry the hash %s of"
            + " revision %s after %.1f ms (%.1f ms after the answer)%n",
        changes, before[0], (answered - sent) / 1e6, nodes, before[1], before[0], (reverted - sent) / 1e6, (reverted - answered) / 1e6);
  }

  /** When every node first reported {@code hash} (GET /admin/nodes, every 5 ms). */
  private static long awaitHash(String admin, String token, int nodes, String hash, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      var state = nodesState(send(admin, token, "GET", "/admin/nodes", null).body());
      if (state != null
          && state.length - 2 == nodes
          && Arrays.stream(state).skip(2).allMatch(s -> s.endsWith(" " + hash))) {
        return System.nanoTime();
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException("the nodes did not reach hash " + hash);
  }

  private static HttpResponse<String> send(String admin, String token, String method, String path, String body)
      throws IOException, InterruptedException {
    var builder = HttpRequest.newBuilder(URI.create(admin + path)).header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(2));
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void expect(HttpResponse<String> response, int status) {
    if (response.statusCode() != status) {
      throw new IllegalStateException(
          response.request().method() + " " + response.request().uri() + ": " + response.statusCode() + " "
              + response.body().substring(0, Math.min(500, response.body().length())));
    }
  }

  private static void print(String label, List<Long> nanos) {
    var sorted = nanos.stream().sorted().collect(Collectors.toList());
    System.out.printf(
        "%-44s p50 %7.1f ms  p90 %7.1f ms  p99 %7.1f ms  max %7.1f ms%n",
        label, at(sorted, 0.50), at(sorted, 0.90), at(sorted, 0.99), sorted.get(sorted.size() - 1) / 1e6);
  }

  /** Nearest-rank percentile, in ms. */
  private static double at(List<Long> sorted, double q) {
    return sorted.get((int) Math.ceil(sorted.size() * q) - 1) / 1e6;
  }

  private Propagation() {}
}
