package dev.crossgate.gateway.protocol;

import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.util.regex.Pattern;

/**
 * Refuses request heads that HTTP forbids, or that a server behind the gateway could read
 * differently from the gateway, before anything routes on them. Sits after the limits and before
 * {@code PathStep} (which refuses the path spellings: {@code ..;}, {@code ;params}, encoded
 * slashes).
 *
 * <ul>
 *   <li>Host (RFC 9112 section 3.2): 400 for more than one Host line, for none on HTTP/1.1, and for
 *       a value that is not {@code host[:port]}, userinfo above all: routing on one Host while the
 *       upstream reads another is how virtual-host rules are bypassed.
 *   <li>A fragment in the request target (RFC 9112 section 3.2: not part of the grammar): 400,
 *       never forwarded.
 *   <li>CONNECT (RFC 9110 section 9.3.6) and TRACE (section 9.3.8): 405. The gateway is no tunnel,
 *       and TRACE would echo credentials and cookies back to a script that can trigger it. The
 *       connection is closed after a CONNECT answer, as the client may already be sending tunnel
 *       bytes.
 * </ul>
 */
public final class StrictHttpStep implements Step {
  /**
   * What a refused method may be replaced with; RFC 9110 section 15.5.6 asks for Allow on a 405.
   */
  private static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

  /**
   * RFC 3986 section 3.2.2 host (reg-name without ',' or IP literal) and an optional port, no
   * userinfo.
   */
  private static final Pattern HOST =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._~!$&'()*+;=%-]*)(:[0-9]{0,5})?");

  /**
   * The Host value accepted last: clients repeat theirs on every request, so the pattern runs once
   * per new value. One step per event loop (the chain is built per loop), so no other thread reads
   * it.
   */
  private String acceptedHost;

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var request = exchange.request();
    var method = request.method();
    if (method == HttpMethod.CONNECT || method == HttpMethod.TRACE) {
      if (method == HttpMethod.CONNECT) {
        exchange.closeConnection();
      }
      exchange.reply(Problem.methodNotAllowed(method.name() + " is not served by this gateway"));
      exchange.responseHeaders().set(HttpHeaders.ALLOW, ALLOWED_METHODS);
      return Future.succeededFuture();
    }
    var refusal = hostRefusal(request.headers().getAll(HttpHeaders.HOST), request.version());
    if (refusal == null && request.uri().indexOf('#') >= 0) {
      refusal = "a request target carries no fragment ('#')";
    }
    if (refusal != null) {
      exchange.reply(Problem.badRequest(refusal));
      return Future.succeededFuture();
    }
    return next.proceed(exchange);
  }

  private String hostRefusal(java.util.List<String> hosts, HttpVersion version) {
    if (hosts.size() > 1) {
      return "the request has more than one Host header";
    }
    if (hosts.isEmpty()) {
      // HTTP/2 carries the authority in :authority; HTTP/1.0 predates Host
      return version == HttpVersion.HTTP_1_1 ? "an HTTP/1.1 request needs a Host header" : null;
    }
    var host = hosts.get(0);
    if (host.equals(acceptedHost)) {
      return null;
    }
    if (host.indexOf('@') >= 0) {
      return "the Host header carries user info, which is not accepted";
    }
    if (!HOST.matcher(host).matches()) {
      return "the Host header is not a host name or address with an optional port";
    }
    acceptedHost = host;
    return null;
  }
}
