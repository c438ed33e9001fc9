package dev.crossgate.gateway.extension;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.crossgate.egress.EgressClient;
import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.extension.Extension;
import dev.crossgate.extension.ModuleLoad;
import dev.crossgate.store.OwnerOnlyFiles;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's cache of tenant WebAssembly modules, keyed by SHA-256: fetched once (from the tenant's
 * URL, or from the control plane for a module uploaded to the platform; read from the module
 * directory after a restart), verified against the registered digest, parsed and checked against
 * the memory limit, then kept in memory. The fetch is the tenant's URL, so it goes through the
 * {@link EgressClient} (no redirects, checked addresses only); reading the cache, hashing and
 * parsing run on the WebAssembly worker pool, never on an event loop. Shared by the node's event
 * loops.
 *
 * <p>It keeps each module's load state ({@link ModuleLoad}: fetching, loaded or failed, since when)
 * with the tenants whose extensions asked for it, for the node's heartbeat report.
 */
final class WasmModules {
  private static final Logger LOG = LoggerFactory.getLogger(WasmModules.class);

  /** A parsed module and the memory it may use. */
  record Loaded(WasmModule module, MemoryLimits limits) {}

  private final WorkerExecutor workers;
  private final Path dir;
  private final int maxPages;
  private static final long FETCH_TIMEOUT_MS = 30_000;
  private final EgressClient egress;
  private final HostedModules hosted;
  private final Map<String, Loaded> ready = new ConcurrentHashMap<>();
  private final Map<String, Future<Loaded>> loading = new ConcurrentHashMap<>();

  /** Modules that failed to load, by digest, until when they are not tried again (nanoTime). */
  private final Map<String, Long> refusedUntil = new ConcurrentHashMap<>();

  private static final long RETRY_REFUSED_NANOS = Duration.ofMinutes(1).toNanos();

  /** Each module's load state by digest; as many as the modules this node tried. */
  private final Map<String, Status> statuses = new ConcurrentHashMap<>();

  /** A module's load state and the tenants whose extensions asked for it. */
  private record Status(ModuleLoad.State state, Instant since, String detail, Set<String> tenants) {
    Status {
      tenants = Set.copyOf(tenants);
    }

    Status askedBy(String tenant) {
      if (tenants.contains(tenant)) {
        return this;
      }
      var more = new HashSet<>(tenants);
      more.add(tenant);
      return new Status(state, since, detail, more);
    }

    Status now(ModuleLoad.State next, Instant at, String why) {
      return new Status(next, at, why, tenants);
    }
  }

  WasmModules(
      WorkerExecutor workers, EgressClient egress, HostedModules hosted, Path dir, int maxPages) {
    this.workers = workers;
    this.egress = egress;
    this.hosted = hosted;
    this.dir = dir;
    this.maxPages = maxPages;
  }

  /** The module if it is loaded already, else null (never waits); {@code tenant} asks for it. */
  Loaded cached(String tenant, Extension.Artifact artifact) {
    var loaded = ready.get(artifact.sha256());
    if (loaded != null) {
      askedBy(tenant, artifact.sha256());
    }
    return loaded;
  }

  /**
   * The load state of every module this node tried, once per tenant that asked for it; sorted by
   * tenant and digest. Any thread.
   */
  List<ModuleLoad> loadStates() {
    var states = new ArrayList<ModuleLoad>();
    statuses.forEach(
        (sha, status) -> {
          for (var tenant : status.tenants()) {
            states.add(
                new ModuleLoad(tenant, sha, status.state(), status.since(), status.detail()));
          }
        });
    states.sort(Comparator.comparing(ModuleLoad::tenant).thenComparing(ModuleLoad::sha256));
    return states;
  }

  private void askedBy(String tenant, String sha) {
    var status = statuses.get(sha);
    if (status != null && !status.tenants().contains(tenant)) {
      statuses.computeIfPresent(sha, (k, old) -> old.askedBy(tenant));
    }
  }

  private void moved(String tenant, String sha, ModuleLoad.State state, String detail) {
    var at = Instant.now();
    statuses.compute(
        sha,
        (k, old) ->
            (old == null ? new Status(state, at, detail, Set.of()) : old.now(state, at, detail))
                .askedBy(tenant));
  }

  /**
   * Why a module failed, in words safe to show its tenant: a check's own message (they name no
   * URL), else a fixed one; the cause itself goes to the log.
   */
  private static String safeDetail(Throwable cause) {
    return cause instanceof ArtifactCheck.BadArtifactException
        ? cause.getMessage()
        : "the module could not be loaded";
  }

  /**
   * Loads the module once; concurrent callers share the load. A module that failed (unreachable,
   * wrong digest, over the memory limit) is not tried again for a minute, so a bad artifact costs
   * one fetch a minute, not one per request; meanwhile the extension runs at the tenant.
   */
  Future<Loaded> load(String tenant, Extension.Artifact artifact) {
    askedBy(tenant, artifact.sha256());
    var done = ready.get(artifact.sha256());
    if (done != null) {
      return Future.succeededFuture(done);
    }
    var refused = refusedUntil.get(artifact.sha256());
    if (refused != null && System.nanoTime() - refused < 0) {
      return Future.failedFuture("module " + artifact.sha256() + " was refused recently");
    }
    return loading.computeIfAbsent(
        artifact.sha256(),
        sha -> {
          moved(tenant, sha, ModuleLoad.State.FETCHING, null);
          return workers
              .executeBlocking(() -> fromModuleDir(artifact), false)
              .compose(
                  cached ->
                      cached != null
                          ? Future.succeededFuture(cached)
                          : fetch(artifact)
                              .map(io.vertx.core.buffer.Buffer::getBytes)
                              .recover(
                                  e -> {
                                    LOG.info(
                                        "extension module fetch failed sha256={} url={} cause={}",
                                        sha,
                                        artifact.url(),
                                        e.toString());
                                    // the URL stays in the log: the report names none
                                    return Future.failedFuture(
                                        new ArtifactCheck.BadArtifactException(
                                            "the module could not be fetched"));
                                  }))
              .compose(
                  bytes -> workers.<Loaded>executeBlocking(() -> parse(artifact, bytes), false))
              .andThen(
                  ar -> {
                    if (ar.succeeded()) {
                      ready.put(sha, ar.result());
                      moved(tenant, sha, ModuleLoad.State.LOADED, null);
                    } else {
                      refusedUntil.put(sha, System.nanoTime() + RETRY_REFUSED_NANOS);
                      moved(tenant, sha, ModuleLoad.State.FAILED, safeDetail(ar.cause()));
                      LOG.warn(
                          "extension module not loaded sha256={} url={} cause={}",
                          sha,
                          artifact.url(),
                          ar.cause().getMessage());
                    }
                    loading.remove(sha);
                  });
        });
  }

  /**
   * The module from where it lives: the control plane for one uploaded to the platform (by digest),
   * else the tenant's URL through the egress client.
   */
  private Future<io.vertx.core.buffer.Buffer> fetch(Extension.Artifact artifact) {
    if (artifact.isHosted()) {
      return hosted.fetch(artifact.sha256());
    }
    return egress.fetch(artifact.url(), ArtifactCheck.MAX_MODULE_BYTES + 1, FETCH_TIMEOUT_MS);
  }

  /** The module from the module directory when it is there and intact, else null. Worker thread. */
  private byte[] fromModuleDir(Extension.Artifact artifact) throws IOException {
    var file = dir == null ? null : dir.resolve(artifact.sha256() + ".wasm");
    if (file == null || !Files.isRegularFile(file)) {
      return null;
    }
    var bytes = Files.readAllBytes(file);
    try {
      ArtifactCheck.verify(bytes, artifact);
      return bytes;
    } catch (ArtifactCheck.BadArtifactException e) {
      LOG.warn(
          "cached module is damaged, fetching it again file={} cause={}", file, e.getMessage());
      return null;
    }
  }

  /**
   * Verifies fetched (or cached) bytes, keeps them in the module directory, parses them. Worker
   * thread.
   */
  private Loaded parse(Extension.Artifact artifact, byte[] bytes)
      throws ArtifactCheck.BadArtifactException, IOException {
    ArtifactCheck.verify(bytes, artifact);
    var file = dir == null ? null : dir.resolve(artifact.sha256() + ".wasm");
    if (file != null && !Files.isRegularFile(file)) {
      OwnerOnlyFiles.createDirectories(dir);
      var partial = dir.resolve(artifact.sha256() + ".wasm.part");
      OwnerOnlyFiles.write(partial, bytes);
      Files.move(
          partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    WasmModule module;
    try {
      module = Parser.parse(bytes);
    } catch (ChicoryException e) {
      throw new ArtifactCheck.BadArtifactException(
          "the module is not valid WebAssembly: " + e.getMessage());
    }
    var declared =
        module
            .memorySection()
            .filter(s -> s.memoryCount() > 0)
            .map(s -> s.getMemory(0).limits())
            .orElse(new MemoryLimits(0, 0));
    if (declared.initialPages() > maxPages) {
      throw new ArtifactCheck.BadArtifactException(
          "the module needs "
              + declared.initialPages()
              + " memory pages, more than the "
              + maxPages
              + " allowed");
    }
    int maximum = Math.min(declared.maximumPages(), maxPages);
    LOG.info(
        "extension module loaded sha256={} bytes={} maxPages={}",
        artifact.sha256(),
        bytes.length,
        maximum);
    return new Loaded(module, new MemoryLimits(declared.initialPages(), maximum));
  }
}
