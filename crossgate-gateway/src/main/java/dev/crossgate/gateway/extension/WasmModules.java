package dev.crossgate.gateway.extension;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.extension.Extension;
import dev.crossgate.store.OwnerOnlyFiles;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's cache of tenant WebAssembly modules, keyed by SHA-256: fetched once (or read from
 * the module directory after a restart), verified against the registered digest, parsed and
 * checked against the memory limit, then kept in memory. Fetching, hashing and parsing run on
 * the WebAssembly worker pool, never on an event loop. Shared by the node's event loops.
 */
final class WasmModules {
  private static final Logger LOG = LoggerFactory.getLogger(WasmModules.class);

  /** A parsed module and the memory it may use. */
  record Loaded(WasmModule module, MemoryLimits limits) {}

  private final WorkerExecutor workers;
  private final Path dir;
  private final int maxPages;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
      .followRedirects(HttpClient.Redirect.NORMAL).build();
  private final Map<String, Loaded> ready = new ConcurrentHashMap<>();
  private final Map<String, Future<Loaded>> loading = new ConcurrentHashMap<>();
  /** Modules that failed to load, by digest, until when they are not tried again (nanoTime). */
  private final Map<String, Long> refusedUntil = new ConcurrentHashMap<>();
  private static final long RETRY_REFUSED_NANOS = Duration.ofMinutes(1).toNanos();

  WasmModules(WorkerExecutor workers, Path dir, int maxPages) {
    this.workers = workers;
    this.dir = dir;
    this.maxPages = maxPages;
  }

  /** The module if it is loaded already, else null (never waits). */
  Loaded cached(Extension.Artifact artifact) {
    return ready.get(artifact.sha256());
  }

  /**
   * Loads the module once; concurrent callers share the load. A module that failed (unreachable,
   * wrong digest, over the memory limit) is not tried again for a minute, so a bad artifact
   * costs one fetch a minute, not one per request; meanwhile the extension runs at the tenant.
   */
  Future<Loaded> load(Extension.Artifact artifact) {
    var done = ready.get(artifact.sha256());
    if (done != null) {
      return Future.succeededFuture(done);
    }
    var refused = refusedUntil.get(artifact.sha256());
    if (refused != null && System.nanoTime() - refused < 0) {
      return Future.failedFuture("module " + artifact.sha256() + " was refused recently");
    }
    return loading.computeIfAbsent(artifact.sha256(), sha -> workers.<Loaded>executeBlocking(() -> read(artifact),
        false).andThen(ar -> {
          if (ar.succeeded()) {
            ready.put(sha, ar.result());
          } else {
            refusedUntil.put(sha, System.nanoTime() + RETRY_REFUSED_NANOS);
            LOG.warn("extension module not loaded sha256={} url={} cause={}", sha, artifact.url(),
                ar.cause().getMessage());
          }
          loading.remove(sha);
        }));
  }

  private Loaded read(Extension.Artifact artifact) throws ArtifactCheck.BadArtifactException, IOException {
    byte[] bytes = null;
    var file = dir == null ? null : dir.resolve(artifact.sha256() + ".wasm");
    if (file != null && Files.isRegularFile(file)) {
      bytes = Files.readAllBytes(file);
      try {
        ArtifactCheck.verify(bytes, artifact);
      } catch (ArtifactCheck.BadArtifactException e) {
        LOG.warn("cached module is damaged, fetching it again file={} cause={}", file, e.getMessage());
        bytes = null;
      }
    }
    if (bytes == null) {
      bytes = ArtifactCheck.fetch(http, artifact, Duration.ofSeconds(30));
      if (file != null) {
        OwnerOnlyFiles.createDirectories(dir);
        var partial = dir.resolve(artifact.sha256() + ".wasm.part");
        OwnerOnlyFiles.write(partial, bytes);
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    }
    WasmModule module;
    try {
      module = Parser.parse(bytes);
    } catch (ChicoryException e) {
      throw new ArtifactCheck.BadArtifactException("the module is not valid WebAssembly: " + e.getMessage());
    }
    var declared = module.memorySection().filter(s -> s.memoryCount() > 0).map(s -> s.getMemory(0).limits())
        .orElse(new MemoryLimits(0, 0));
    if (declared.initialPages() > maxPages) {
      throw new ArtifactCheck.BadArtifactException("the module needs " + declared.initialPages()
          + " memory pages, more than the " + maxPages + " allowed");
    }
    int maximum = Math.min(declared.maximumPages(), maxPages);
    LOG.info("extension module loaded sha256={} bytes={} maxPages={}", artifact.sha256(), bytes.length, maximum);
    return new Loaded(module, new MemoryLimits(declared.initialPages(), maximum));
  }
}
