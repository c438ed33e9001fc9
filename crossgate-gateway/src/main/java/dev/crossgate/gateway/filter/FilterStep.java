package dev.crossgate.gateway.filter;

import dev.crossgate.filter.Cidr;
import dev.crossgate.filter.FilterRule;
import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.GatewayProblems;
import dev.crossgate.gateway.chain.Step;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The filter table (seed: filtering garbage requests), in the snapshot's evaluation order: the
 * first rule that matches rejects the request with its status and message. {@code BODY_SIZE} rules
 * reject a declared {@code Content-Length} at once and otherwise lower the body limit the proxy
 * enforces while streaming. Rules are compiled once per snapshot (regexes, CIDRs), not per request.
 *
 * <p>The chain holds two instances: {@link #beforeRouting()} (right after path normalisation)
 * evaluates GLOBAL rules, which see every request, built-in endpoints included, and ENDPOINT rules
 * on requests to their endpoint; {@link #afterRouting()} (right after the route match) evaluates
 * SERVICE and ROUTE rules on requests routed to their service or route. Built-in endpoints are
 * never routed, so a service- or route-scoped rule never touches {@code /_transfers}.
 */
public final class FilterStep implements Step {
  private final boolean routed;
  private volatile Compiled compiled = new Compiled(List.of(), List.of());

  private FilterStep(boolean routed) {
    this.routed = routed;
  }

  /** GLOBAL and ENDPOINT rules, before the built-in endpoints and routing. */
  public static FilterStep beforeRouting() {
    return new FilterStep(false);
  }

  /** SERVICE and ROUTE rules, once the route is matched. */
  public static FilterStep afterRouting() {
    return new FilterStep(true);
  }

  @Override
  public String name() {
    return routed ? "FilterStep(afterRouting)" : "FilterStep(beforeRouting)";
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var rules = compiled(exchange.config().filters());
    if (rules.isEmpty()) {
      return next.proceed(exchange);
    }
    var request = exchange.request();
    var client = TrustedProxies.parse(exchange.clientIp());
    for (var rule : rules) {
      var r = rule.rule;
      if (!applies(r, exchange)) {
        continue;
      }
      boolean hit =
          switch (r.kind()) {
            case IP -> client != null && rule.cidr.contains(client);
            case PATH_PREFIX -> isUnder(exchange.path(), rule.prefix);
            case PATH_REGEX -> rule.pattern.matcher(exchange.path()).matches();
            case METHOD -> request.method().name().equals(r.value());
            case HEADER -> anyFind(rule.pattern, request.headers().getAll(r.header()));
            case USER_AGENT ->
                anyFind(rule.pattern, request.headers().getAll(HttpHeaders.USER_AGENT));
            case BODY_SIZE -> {
              var problem =
                  GatewayProblems.filtered(
                          r.id(),
                          r.status(),
                          r.message() == null
                              ? "the body exceeds the limit of " + rule.bytes + " bytes"
                              : r.message())
                      .with("limit", rule.bytes);
              exchange.limitBody(rule.bytes, problem);
              yield exchange.declaredLength() > rule.bytes;
            }
          };
      if (hit) {
        if (r.kind() == FilterRule.Kind.BODY_SIZE) {
          exchange.closeConnection();
          exchange.reply(exchange.bodyLimitProblem());
        } else {
          exchange.reply(GatewayProblems.filtered(r.id(), r.status(), r.message()));
        }
        return Future.succeededFuture();
      }
    }
    return next.proceed(exchange);
  }

  private boolean applies(FilterRule rule, Exchange exchange) {
    return switch (rule.scope()) {
      case GLOBAL -> true;
      case ENDPOINT -> isUnder(exchange.path(), rule.target());
      case SERVICE -> rule.target().equals(exchange.route().service());
      case ROUTE -> rule.target().equals(exchange.route().id());
    };
  }

  /** This instance's rules of {@code rules}, compiled. */
  private List<CompiledRule> compiled(List<FilterRule> rules) {
    var c = compiled;
    if (c.source != rules) {
      c =
          new Compiled(
              rules,
              rules.stream()
                  .filter(r -> r.scope().afterRouting() == routed)
                  .map(CompiledRule::new)
                  .toList());
      compiled = c;
    }
    return c.rules;
  }

  private static boolean isUnder(String path, String prefix) {
    return prefix.equals("/")
        || path.equals(prefix)
        || (path.startsWith(prefix) && path.charAt(prefix.length()) == '/');
  }

  private static boolean anyFind(Pattern pattern, List<String> values) {
    for (var v : values) {
      if (pattern.matcher(v).find()) {
        return true;
      }
    }
    return false;
  }

  private record Compiled(List<FilterRule> source, List<CompiledRule> rules) {}

  private static final class CompiledRule {
    final FilterRule rule;
    final Cidr cidr;
    final Pattern pattern;
    final String prefix;
    final long bytes;

    CompiledRule(FilterRule rule) {
      this.rule = rule;
      var v = rule.value();
      this.cidr = rule.kind() == FilterRule.Kind.IP ? Cidr.parse(v) : null;
      this.pattern =
          switch (rule.kind()) {
            case PATH_REGEX, HEADER, USER_AGENT -> Pattern.compile(v);
            default -> null;
          };
      this.prefix =
          rule.kind() == FilterRule.Kind.PATH_PREFIX && v.length() > 1 && v.endsWith("/")
              ? v.substring(0, v.length() - 1)
              : v;
      this.bytes = rule.kind() == FilterRule.Kind.BODY_SIZE ? Long.parseLong(v) : 0;
    }
  }
}
