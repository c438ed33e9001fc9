package dev.crossgate.gateway.flow;

import dev.crossgate.extension.Extension;
import dev.crossgate.extension.ExtensionPoints;
import dev.crossgate.extension.ExtensionValidator;
import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.gateway.extension.ExtensionProblems;
import dev.crossgate.gateway.extension.Extensions;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.RouteValidator;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a route's flow (DESIGN.md "Extensions"): in the request phase the extension steps listed
 * before {@code proxy} see the request and may change it or answer it, then the rest of the chain
 * (the proxy) runs; in the response phase the steps after {@code proxy} see and may change the
 * response. A flow without {@code proxy} runs all its steps before the proxy. A route without
 * extension steps, or without steps after the proxy, streams the upstream's body untouched.
 *
 * <p>An extension step names its tenant ({@code ext:acme/validate}) or means the caller's tenant
 * ({@code ext:validate}, KEY routes only); an id is never guessed from who else registered it. The
 * version the flow was pinned to (a caller of the owning tenant may choose it, see {@link
 * #callerVersion}) is answered in {@link CrossgateHeaders#EXTENSION_VERSION} and logged.
 */
public final class FlowStep implements Step {
  private static final Logger LOG = LoggerFactory.getLogger(FlowStep.class);
  private static final String PROXY = "proxy";
  private static final String EXT = "ext:";

  private final Extensions extensions;

  /**
   * Flows with steps after the proxy, from their request phase to their response phase. This step
   * is built per event loop (NodeVerticle), so the map is confined to that loop; an exchange that
   * has no response phase (taken over, aborted) leaves it when it completes.
   */
  private final Map<Exchange, FlowRun> awaitingResponse = new IdentityHashMap<>();

  public FlowStep(Extensions extensions) {
    this.extensions = extensions;
  }

  /** The extension steps of a flow, split around the proxy. */
  record Plan(List<Extension> before, List<Extension> after) {
    /** Every extension step, in flow order. */
    List<Extension> steps() {
      var all = new ArrayList<>(before);
      all.addAll(after);
      return all;
    }
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var route = exchange.route();
    if (route.flow().stream().noneMatch(s -> s.startsWith(EXT))) {
      return next.proceed(exchange);
    }
    Plan plan;
    try {
      plan = plan(exchange, route.flow());
    } catch (ProblemException e) {
      exchange.reply(e.problem());
      return Future.succeededFuture();
    }
    var run = new FlowRun(exchange, extensions, plan, callerVersion(exchange, plan));
    if (!plan.after().isEmpty()) {
      awaitingResponse.put(exchange, run);
      exchange.onComplete(awaitingResponse::remove);
    }
    return run.request(next);
  }

  /**
   * Runs the steps after the proxy, if the flow has any, and names the version the flow was pinned
   * to.
   */
  @Override
  public Future<Void> onResponse(Exchange exchange) {
    // a route without response steps (every plain route) costs one emptiness check here
    var run = awaitingResponse.isEmpty() ? null : awaitingResponse.remove(exchange);
    if (run == null) {
      announceVersion(exchange);
      return Future.succeededFuture();
    }
    return run.response().onSuccess(v -> announceVersion(exchange));
  }

  private static void announceVersion(Exchange exchange) {
    if (exchange.extensionVersion() != null && exchange.responseHeaders() != null) {
      exchange
          .responseHeaders()
          .set(CrossgateHeaders.EXTENSION_VERSION, exchange.extensionVersion());
    }
  }

  /**
   * The version the caller asks for in {@link CrossgateHeaders#EXTENSION_VERSION}, when it may have
   * it: every extension step of the flow belongs to the caller's tenant and allows callers to
   * choose ({@code allowCallerVersion}). Otherwise the header is ignored (and logged), and the
   * platform or the tenant chooses as usual: a caller never steers another tenant's extension. The
   * header is removed either way, so the upstream never sees it.
   */
  static String callerVersion(Exchange exchange, Plan plan) {
    var headers = exchange.request().headers();
    var asked = headers.get(CrossgateHeaders.EXTENSION_VERSION);
    if (asked == null) {
      return null;
    }
    headers.remove(CrossgateHeaders.EXTENSION_VERSION);
    var caller = exchange.caller();
    var tenant = caller == null ? null : caller.tenantId();
    for (var extension : plan.steps()) {
      if (!extension.tenant().equals(tenant) || !extension.allowCallerVersion()) {
        LOG.info(
            "caller extension version ignored requestId={} callerTenant={} extension={} reason={}",
            exchange.requestId(),
            tenant == null ? "-" : tenant,
            extension.key(),
            extension.tenant().equals(tenant) ? "not-allowed" : "other-tenant");
        return null;
      }
    }
    if (!ExtensionValidator.VERSION.matcher(asked).matches()) {
      LOG.info(
          "caller extension version ignored requestId={} callerTenant={} reason=malformed",
          exchange.requestId(),
          tenant);
      return null;
    }
    return asked;
  }

  private static Plan plan(Exchange exchange, List<String> flow) {
    var before = new ArrayList<Extension>();
    var after = new ArrayList<Extension>();
    boolean proxied = false;
    for (var step : flow) {
      if (step.equals(PROXY)) {
        proxied = true;
        continue;
      }
      var extension = resolve(exchange, step);
      var point = proxied ? ExtensionPoints.RESPONSE : ExtensionPoints.REQUEST;
      if (!extension.point().equals(point)) {
        throw new ProblemException(ExtensionProblems.misplaced(extension, point));
      }
      (proxied ? after : before).add(extension);
    }
    return new Plan(before, after);
  }

  /**
   * The extension a step names: the named tenant's, or the caller's for a step without a tenant.
   */
  private static Extension resolve(Exchange exchange, String step) {
    var ref = RouteValidator.extensionRef(step);
    var registry = exchange.config().extensions();
    var caller = exchange.caller();
    var tenant = ref.tenant() != null ? ref.tenant() : caller == null ? null : caller.tenantId();
    if (tenant == null) {
      throw new ProblemException(
          ExtensionProblems.unresolved(
              ref.id(),
              "the request has no calling tenant and the step does not name one (ext:<tenant>/"
                  + ref.id()
                  + ")"));
    }
    var found = registry.find(tenant, ref.id());
    if (found == null) {
      throw new ProblemException(
          ExtensionProblems.unresolved(ref.id(), "tenant " + tenant + " has not registered it"));
    }
    return found;
  }
}
