package dev.crossgate.gateway.flow;

import dev.crossgate.extension.Extension;
import dev.crossgate.extension.ExtensionPoints;
import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.gateway.extension.ExtensionProblems;
import dev.crossgate.gateway.extension.Extensions;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a route's flow (DESIGN.md "Extensions"): the extension steps listed before {@code proxy}
 * see the request and may change it or answer it, then the rest of the chain (the proxy) runs,
 * then the steps after {@code proxy} see and may change the response. A flow without
 * {@code proxy} runs all its steps before the proxy. A route without extension steps passes
 * straight through, its bodies streamed.
 *
 * <p>Extension steps are resolved in the caller's tenant (the tenant of its API key); on a route
 * without keys, an extension id that exactly one tenant registered resolves to that tenant's.
 * The version the flow was pinned to is answered in {@link Extensions#VERSION_HEADER} and logged.
 */
public final class FlowStep implements Step {
  private static final String PROXY = "proxy";
  private static final String EXT = "ext:";

  private final Extensions extensions;

  public FlowStep(Extensions extensions) {
    this.extensions = extensions;
  }

  /** The extension steps of a flow, split around the proxy. */
  record Plan(List<Extension> before, List<Extension> after) {}

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
    return new FlowRun(exchange, extensions, plan).run(next);
  }

  @Override
  public void onResponse(Exchange exchange) {
    if (exchange.extensionVersion() != null && exchange.responseHeaders() != null) {
      exchange.responseHeaders().set(Extensions.VERSION_HEADER, exchange.extensionVersion());
    }
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
      var extension = resolve(exchange, step.substring(EXT.length()));
      var point = proxied ? ExtensionPoints.RESPONSE : ExtensionPoints.REQUEST;
      if (!extension.point().equals(point)) {
        throw new ProblemException(ExtensionProblems.misplaced(extension, point));
      }
      (proxied ? after : before).add(extension);
    }
    return new Plan(before, after);
  }

  private static Extension resolve(Exchange exchange, String id) {
    var registry = exchange.config().extensions();
    var caller = exchange.caller();
    if (caller != null) {
      var own = registry.find(caller.tenantId(), id);
      if (own == null) {
        throw new ProblemException(ExtensionProblems.unresolved(id, "tenant " + caller.tenantId()
            + " has not registered it"));
      }
      return own;
    }
    var named = registry.named(id);
    if (named.size() == 1) {
      return named.get(0);
    }
    Problem p = named.isEmpty() ? ExtensionProblems.unresolved(id, "no tenant has registered it")
        : ExtensionProblems.unresolved(id, named.size() + " tenants registered it; the route needs auth KEY so"
            + " that the caller's tenant decides");
    throw new ProblemException(p);
  }
}
