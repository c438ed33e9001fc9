package dev.crossgate.gateway.extension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.extension.Extension;
import dev.crossgate.extension.ModuleLoad;
import dev.crossgate.json.Json;
import dev.crossgate.trace.RequestTrace;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one extension step of a flow (DESIGN.md "Extensions"): resolves where it runs, pins the
 * request's version, calls it, and turns a failure into its failure policy's verdict. Shared by the
 * node's event loops; {@link #run} is called on an event loop and never blocks.
 *
 * <p>Where a step runs: an extension without dependencies whose pinned version has a WebAssembly
 * artifact runs in-process once that module is cached; until then it is called at the tenant and
 * the module is loaded during that first call (the call waits for it, so every later call is
 * local). A version whose module was uploaded to the platform (or of an extension without an
 * endpoint) runs only in-process: its first call waits for the module from the control plane. An
 * extension with dependencies always runs at the tenant.
 *
 * <p>Version pinning: the first extension step of a request picks the version — the platform at
 * random by weight when that extension can run locally, otherwise the tenant, which names it in
 * {@link CrossgateHeaders#EXTENSION_VERSION} (a tenant that names none gets the platform's weighted
 * pick). Every later step uses exactly that version; an extension without it fails by its policy.
 */
public final class Extensions {
  private static final Logger LOG = LoggerFactory.getLogger(Extensions.class);

  private final Vertx vertx;
  private final ExtensionOptions options;
  private final TenantCircuits circuits;
  private final MeterRegistry registry;
  private final EgressPolicy egress;
  private volatile Engine engine;

  /** The node's own port, learnt when it listens: refused as an extension endpoint or artifact. */
  private volatile int ownPort;

  /**
   * The clients and the WebAssembly pool, made on the first extension step: a node without
   * extensions has none.
   */
  private record Engine(
      WorkerExecutor workers, RemoteCaller remote, WasmModules modules, WasmRunner wasm) {}

  private Extensions(
      Vertx vertx, ExtensionOptions options, EgressPolicy egress, MeterRegistry registry) {
    this.vertx = vertx;
    this.options = options;
    this.egress = egress;
    this.registry = registry;
    this.circuits =
        new TenantCircuits(
            options.breakerFailures(), options.breakerOpen(), System::nanoTime, registry);
  }

  private Engine engine() {
    var e = engine;
    if (e == null) {
      synchronized (this) {
        e = engine;
        if (e == null) {
          var workers = vertx.createSharedWorkerExecutor("crossgate-wasm", options.wasmThreads());
          var remote = new RemoteCaller(vertx, options.replyLimitBytes(), egressPolicy());
          e =
              new Engine(
                  workers,
                  remote,
                  new WasmModules(
                      workers,
                      remote.egress(),
                      options.hostedModules(),
                      options.moduleDir(),
                      options.maxMemoryPages()),
                  new WasmRunner(
                      vertx,
                      new WasmScheduler(
                          vertx,
                          workers,
                          options.wasmThreads(),
                          options.wasmQueuePerTenant(),
                          options.wasmMaxQueueWait()),
                      options.replyLimitBytes()));
          engine = e;
        }
      }
    }
    return e;
  }

  /**
   * @param egress where extension endpoints and artifact URLs may point
   */
  public static Extensions create(
      Vertx vertx, ExtensionOptions options, EgressPolicy egress, MeterRegistry registry) {
    return new Extensions(vertx, options, egress, registry);
  }

  /** The node listens on {@code port}: no extension endpoint or artifact may point there. */
  public synchronized void listening(int port) {
    ownPort = port;
    var e = engine;
    if (e != null) {
      e.remote().egress().ownPort(port);
    }
  }

  private EgressPolicy egressPolicy() {
    int port = ownPort;
    return port > 0 ? egress.withOwnPort(port) : egress;
  }

  public ExtensionOptions options() {
    return options;
  }

  /** The version one request's flow is pinned to; confined to that request's event loop. */
  public static final class Pin {
    private String version;

    /** A pin the platform or the first step's tenant will set. */
    public Pin() {}

    /** A pin set before the first step: the version the caller asked for. */
    public Pin(String version) {
      this.version = version;
    }

    public String version() {
      return version;
    }
  }

  /**
   * The load state of every WebAssembly module this node tried, once per tenant that asked for it;
   * none before the first extension step.
   */
  public List<ModuleLoad> moduleLoads() {
    var e = engine;
    return e == null ? List.of() : e.modules().loadStates();
  }

  /** True while calls to the tenant's extensions are refused by its circuit breaker. */
  public boolean circuitOpen(String tenant) {
    return circuits.isOpen(tenant);
  }

  /**
   * Runs {@code extension} with {@code input} (the contract JSON without its version, which is
   * filled in here). Never fails: a failed call becomes the verdict of its failure policy. With
   * {@code trace} (tracing on), the call is a span under the request's: a client span whose id is
   * the {@code traceparent} sent to a remote extension, an internal one for WebAssembly.
   */
  public Future<Verdict> run(
      Extension extension, Pin pin, ObjectNode input, String requestId, RequestTrace trace) {
    var engine = engine();
    var modules = engine.modules();
    Extension.Version chosen = null;
    if (pin.version != null) {
      chosen = extension.version(pin.version);
      if (chosen == null) {
        return unavailable(
            extension,
            "-",
            "has no version " + pin.version + ", the version this request's flow is pinned to");
      }
    } else if (extension.cacheable()) {
      chosen = pick(extension.versions(), options.versionPick());
      pin.version = chosen.version();
    }
    input.put("version", chosen == null ? null : chosen.version());
    var artifact = chosen == null || !extension.dependsOn().isEmpty() ? null : chosen.artifact();
    var local = artifact == null ? null : modules.cached(extension.tenant(), artifact);
    if (local != null) {
      return runLocal(engine, extension, local, input, trace);
    }
    if (artifact != null && (artifact.isHosted() || extension.endpoint() == null)) {
      // runs on the platform only: the first call waits for the module
      var version = chosen.version();
      return modules
          .load(extension.tenant(), artifact)
          .transform(
              ar ->
                  ar.succeeded()
                      ? runLocal(engine, extension, ar.result(), input, trace)
                      : unavailable(
                          extension,
                          "local",
                          "the module of version " + version + " could not be loaded"));
    }
    if (extension.endpoint() == null) {
      return unavailable(
          extension,
          "-",
          (chosen == null
                  ? "no version has a module on the platform"
                  : "version " + chosen.version() + " has no module on the platform")
              + " and the extension has no endpoint");
    }
    if (!circuits.allows(extension.tenant())) {
      return Future.succeededFuture(
          failed(
              extension,
              "remote",
              new ExtensionFailure(
                  ExtensionFailure.Kind.CIRCUIT_OPEN,
                  "the tenant failed repeatedly; calls are paused")));
    }
    var pinned = chosen;
    var span = span(trace, extension, "remote", SpanKind.CLIENT);
    Future<JsonNode> answer =
        engine
            .remote()
            .call(extension, chosen == null ? null : chosen.version(), input, requestId, span)
            .compose(
                a -> {
                  circuits.record(extension.tenant(), true);
                  pinFromTenant(extension, pin, pinned, a.version());
                  return Future.succeededFuture(a.body());
                },
                e -> {
                  if (e instanceof ExtensionFailure f
                      && f.kind() != ExtensionFailure.Kind.BAD_REPLY) {
                    circuits.record(extension.tenant(), false);
                  }
                  return Future.failedFuture(e);
                });
    if (artifact != null) {
      // warm the cache during the first call, so that the next call of this version is local
      var warm = modules.load(extension.tenant(), artifact);
      answer = answer.compose(a -> warm.transform(ignored -> Future.succeededFuture(a)));
    }
    return ended(
        span,
        answer
            .map(a -> verdict(extension, "remote", a))
            .otherwise(e -> failed(extension, "remote", e, span)));
  }

  private static Span span(
      RequestTrace trace, Extension extension, String location, SpanKind kind) {
    if (trace == null) {
      return null;
    }
    var span = trace.child("extension " + extension.id(), kind);
    span.setAttribute("crossgate.tenant", extension.tenant());
    span.setAttribute("crossgate.extension.location", location);
    return span;
  }

  private static Future<Verdict> ended(Span span, Future<Verdict> verdict) {
    return span == null ? verdict : verdict.onComplete(ar -> span.end());
  }

  private Verdict failed(Extension extension, String location, Throwable cause, Span span) {
    if (span != null) {
      span.setStatus(StatusCode.ERROR, String.valueOf(cause.getMessage()));
    }
    return failed(extension, location, cause);
  }

  private Future<Verdict> unavailable(Extension extension, String location, String detail) {
    return Future.succeededFuture(
        failed(
            extension,
            location,
            new ExtensionFailure(ExtensionFailure.Kind.VERSION_UNAVAILABLE, detail)));
  }

  /** Runs the module in-process; with {@code trace}, as an internal span of the request's. */
  private Future<Verdict> runLocal(
      Engine engine,
      Extension extension,
      WasmModules.Loaded module,
      ObjectNode input,
      RequestTrace trace) {
    var span = span(trace, extension, "local", SpanKind.INTERNAL);
    return ended(
        span,
        engine
            .wasm()
            .run(
                extension.tenant(),
                module,
                Buffer.buffer(Json.writeBytes(input)),
                extension.timeoutMs())
            .map(answer -> verdict(extension, "local", answer))
            .otherwise(e -> failed(extension, "local", e, span)));
  }

  /** A tenant names the version it ran; the first step's choice pins the request. */
  private void pinFromTenant(
      Extension extension, Pin pin, Extension.Version pinned, String answered) {
    if (pinned != null) {
      if (answered != null && !answered.equals(pinned.version())) {
        throw new ExtensionFailure(
            ExtensionFailure.Kind.BAD_REPLY,
            "answered version " + answered + " instead of the pinned " + pinned.version());
      }
      return;
    }
    var version =
        answered != null ? answered : pick(extension.versions(), options.versionPick()).version();
    if (extension.version(version) == null) {
      throw new ExtensionFailure(
          ExtensionFailure.Kind.VERSION_UNAVAILABLE,
          "the tenant chose version " + version + ", which is not registered");
    }
    pin.version = version;
  }

  private Verdict verdict(Extension extension, String location, JsonNode answer) {
    count(extension, location, "ok");
    var response = answer.get("response");
    if (response != null && response.isObject()) {
      return new Verdict(null, response, null);
    }
    var request = answer.get("request");
    if (request != null && request.isObject()) {
      return new Verdict(request, null, null);
    }
    var proceed = answer.get("continue");
    if (proceed != null && proceed.asBoolean(false)) {
      return Verdict.CONTINUE;
    }
    throw new ExtensionFailure(
        ExtensionFailure.Kind.BAD_REPLY,
        "the answer has none of 'continue', 'request' or 'response'");
  }

  private Verdict failed(Extension extension, String location, Throwable cause) {
    var failure =
        cause instanceof ExtensionFailure f
            ? f
            : new ExtensionFailure(ExtensionFailure.Kind.TRAP, "the extension failed");
    if (!(cause instanceof ExtensionFailure)) {
      LOG.warn(
          "extension failed unexpectedly tenant={} extension={}",
          extension.tenant(),
          extension.id(),
          cause);
    }
    count(extension, location, failure.label());
    LOG.info(
        "extension failed tenant={} extension={} location={} kind={} policy={} detail=\"{}\"",
        extension.tenant(),
        extension.id(),
        location,
        failure.label(),
        extension.failurePolicy(),
        failure.getMessage());
    switch (extension.failurePolicy()) {
      case FAIL_OPEN:
        return Verdict.CONTINUE;
      case DEFAULT_RESPONSE:
        var d = extension.defaultResponse();
        var node = Json.mapper().createObjectNode().put("status", d.status());
        node.set("headers", Json.mapper().valueToTree(d.headers()));
        node.set("body", d.body());
        return new Verdict(null, node, null);
      default:
        return new Verdict(null, null, ExtensionProblems.failed(extension, failure));
    }
  }

  private void count(Extension extension, String location, String outcome) {
    Counter.builder("crossgate_extension_calls_total")
        .description("extension step calls by where they ran and how")
        .tags(
            "tenant",
            extension.tenant(),
            "extension",
            extension.id(),
            "location",
            location,
            "outcome",
            outcome)
        .register(registry)
        .increment();
  }

  /**
   * A version at random, each with probability weight / total weight.
   *
   * @param random values in {@code [0, 1)}
   */
  static Extension.Version pick(List<Extension.Version> versions, DoubleSupplier random) {
    int total = 0;
    for (var v : versions) {
      total += v.weight();
    }
    double u = random.getAsDouble();
    if (!(u >= 0 && u < 1)) {
      throw new IllegalStateException(
          "the version pick's randomness must return values in [0, 1), got " + u);
    }
    int r = (int) (u * total);
    for (var v : versions) {
      r -= v.weight();
      if (r < 0) {
        return v;
      }
    }
    throw new IllegalStateException("weights are validated to sum above 0");
  }

  public Future<Void> close() {
    var e = engine;
    return e == null ? Future.succeededFuture() : e.remote().close().eventually(e.workers()::close);
  }
}
