package dev.crossgate.gateway.proxy;

import dev.crossgate.gateway.auth.PeerCertificate;
import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.GatewayProblems;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.gateway.filter.TrustedProxies;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.Route;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step: sends the request to the route's target and hands the upstream response to the
 * chain as a stream. Bodies flow both ways with back-pressure (the upstream request is written
 * only as fast as it drains, the client's body is paused otherwise), and the body limit is
 * counted while streaming, so no body is ever held whole.
 *
 * <p>Failure mapping (all problem+json): pool wait queue full → 503; connect refused, DNS
 * failure or connect timeout → 502; a TLS handshake that fails → 502 naming the reason class
 * ({@link UpstreamTlsSettings#failure}); no upstream activity for the route's response timeout
 * before the head → 504; no body bytes for the idle timeout after the head → the exchange is
 * aborted ({@link IdleGuardedStream}); upstream reset before the head → 502; after the head
 * the client connection is reset (the status is already sent).
 *
 * <p>One instance per event loop, with that loop's client, so the target cache is confined.
 */
public final class ProxyStep implements Step {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyStep.class);
  private static final int TARGET_CACHE_LIMIT = 100_000;

  private final Vertx vertx;
  private final HttpClient client;
  private final WebSocketProxy webSockets;
  private final TrustedProxies trustedProxies;
  private final Map<String, UpstreamTarget> targets = new HashMap<>();
  private final UpstreamTlsSettings tls = new UpstreamTlsSettings();

  public ProxyStep(Vertx vertx, HttpClient client, WebSocketClient webSocketClient, TrustedProxies trustedProxies) {
    this.vertx = vertx;
    this.client = client;
    this.webSockets = new WebSocketProxy(webSocketClient, tls);
    this.trustedProxies = trustedProxies;
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var route = exchange.route();
    var target = target(route.targetUrl());
    exchange.upstream(target.authority());
    var request = exchange.request();
    var uri = target.uri(exchange.match().remainder(),
        exchange.replacedQuery() != null ? exchange.replacedQuery() : request.query());
    if (exchange.declaredLength() > exchange.bodyLimit()) {
      // the route's or a filter's limit, known only now: refuse before contacting the upstream
      exchange.closeConnection();
      exchange.reply(exchange.bodyLimitProblem());
      return Future.succeededFuture();
    }
    var timeouts = route.timeouts();
    if (route.websocket() && isWebSocketUpgrade(request)) {
      var headers = upstreamHeaders(exchange, MultiMap.caseInsensitiveMultiMap());
      return webSockets.proxy(exchange, target, uri, headers, timeouts.connectMs());
    }
    var options = new RequestOptions()
        .setMethod(request.method())
        .setHost(target.host())
        .setPort(target.port())
        .setSsl(target.ssl())
        .setURI(uri)
        .setConnectTimeout(timeouts.connectMs())
        // until the response head arrives, silence means the response timeout; then the idle one
        .setIdleTimeout(Math.min(timeouts.responseMs(), timeouts.idleMs()));
    tls.apply(options, target, route.tls());
    var done = Promise.<Void>promise();
    client.request(options).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(connectFailure(exchange, ar.cause()));
      } else {
        new Forwarding(exchange, ar.result(), timeouts, done).start();
      }
    });
    return done.future();
  }

  /** The headers sent upstream, written straight into {@code out} (the upstream request's own map). */
  private MultiMap upstreamHeaders(Exchange exchange, MultiMap out) {
    var request = exchange.request();
    ForwardHeaders.copyRequestHeaders(request.headers(), out);
    var peer = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    ForwardHeaders.addForwarding(out, peer, trustedProxies.isTrusted(peer), request.scheme(),
        request.headers().get(HttpHeaders.HOST));
    out.set(Exchange.REQUEST_ID, exchange.requestId());
    if (exchange.route().forwardsClientCertSubject()) {
      var subject = PeerCertificate.subject(request);
      if (subject != null) {
        out.set(PeerCertificate.SUBJECT_HEADER, subject);
      }
    }
    return out;
  }

  private UpstreamTarget target(String targetUrl) {
    var t = targets.get(targetUrl);
    if (t == null) {
      if (targets.size() >= TARGET_CACHE_LIMIT) {
        targets.clear();
      }
      t = UpstreamTarget.parse(targetUrl);
      targets.put(targetUrl, t);
    }
    return t;
  }

  static boolean isWebSocketUpgrade(HttpServerRequest request) {
    var upgrade = request.headers().get(HttpHeaders.UPGRADE);
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }

  static ProblemException connectFailure(Exchange exchange, Throwable cause) {
    if (cause instanceof ConnectionPoolTooBusyException) {
      return new ProblemException(GatewayProblems.upstreamBusy(
          "the upstream " + exchange.upstream() + " has no free connection and its wait queue is full"));
    }
    LOG.info("upstream connect failed requestId={} upstream={} cause={}", exchange.requestId(), exchange.upstream(),
        cause.toString());
    var tlsFailure = UpstreamTlsSettings.failure(cause);
    return new ProblemException(GatewayProblems.badGateway(tlsFailure == null
        ? "could not connect to the upstream " + exchange.upstream()
        : "TLS with the upstream " + exchange.upstream() + " failed: " + tlsFailure));
  }

  /** One request/response exchange with the upstream; all callbacks on the same event loop. */
  private final class Forwarding {
    private final Exchange exchange;
    private final HttpServerRequest request;
    private final HttpClientRequest upstreamRequest;
    private final Route.Timeouts timeouts;
    private final Promise<Void> done;
    private long sent;

    Forwarding(Exchange exchange, HttpClientRequest upstreamRequest, Route.Timeouts timeouts, Promise<Void> done) {
      this.exchange = exchange;
      this.request = exchange.request();
      this.upstreamRequest = upstreamRequest;
      this.timeouts = timeouts;
      this.done = done;
    }

    void start() {
      upstreamHeaders(exchange, upstreamRequest.headers());
      if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
        // RFC 9110 section 10.1.1: pass the upstream's 100 on, so the client sends its body only
        // once the origin is willing to take it
        upstreamRequest.continueHandler(v -> request.response().writeContinue());
      }
      if (!request.headers().contains(HttpHeaders.CONTENT_LENGTH) && request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
        upstreamRequest.setChunked(true);
      }
      // failures surface through response(); this keeps Vert.x from logging them a second time
      upstreamRequest.exceptionHandler(t -> LOG.debug("upstream request failed requestId={} cause={}",
          exchange.requestId(), t.toString()));
      if (request.headers().contains(HttpHeaders.EXPECT)) {
        // the client holds its body back until a 100 arrives: the upstream must see the head now
        upstreamRequest.writeHead();
      }
      upstreamRequest.response().onComplete(ar -> {
        if (ar.failed()) {
          onUpstreamFailure(ar.cause());
        } else {
          onResponse(ar.result());
        }
      });
      request.response().closeHandler(v -> upstreamRequest.reset());
      exchange.onComplete(e -> {
        if (e.responseFailed()) {
          upstreamRequest.reset();
        }
      });
      pumpBody();
    }

    private void onResponse(HttpClientResponse response) {
      if (done.future().isComplete()) {
        response.request().reset();
        return;
      }
      response.pause();
      // written straight into the server response's own headers: no intermediate copy
      var headers = ForwardHeaders.copyResponseHeaders(response.headers(), request.response().headers());
      var body = new IdleGuardedStream(response, vertx, timeouts.idleMs(), () -> {
        LOG.info("upstream idle mid-body requestId={} upstream={} idleMs={}", exchange.requestId(),
            exchange.upstream(), timeouts.idleMs());
        upstreamRequest.reset();
      });
      exchange.respond(response.statusCode(), headers, body, response::trailers);
      done.complete();
    }

    private void onUpstreamFailure(Throwable cause) {
      if (done.future().isComplete()) {
        return;
      }
      var timeout = cause instanceof java.util.concurrent.TimeoutException
          || cause.getClass().getSimpleName().contains("Timeout");
      LOG.info("upstream failed requestId={} upstream={} timeout={} cause={}", exchange.requestId(),
          exchange.upstream(), timeout, cause.toString());
      done.fail(new ProblemException(timeout
          ? GatewayProblems.gatewayTimeout("the upstream " + exchange.upstream() + " did not answer in time")
          : GatewayProblems.badGateway("the upstream " + exchange.upstream() + " closed the connection without a response")));
    }

    /** Copies the client's body upstream, as fast as the upstream drains, counting against the limit. */
    private void pumpBody() {
      var buffered = exchange.requestBody();
      if (buffered != null) {
        // a step read the body whole (a task stores it; a flow step may have changed it, within
        // the limit): it is sent whole, with its own length
        upstreamRequest.setChunked(false);
        upstreamRequest.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(buffered.length()));
        upstreamRequest.end(buffered);
        return;
      }
      if (request.isEnded()) {
        upstreamRequest.end();
        return;
      }
      long limit = exchange.bodyLimit();
      request.handler(chunk -> {
        sent += chunk.length();
        if (sent > limit) {
          overflow();
          return;
        }
        upstreamRequest.write(chunk);
        if (upstreamRequest.writeQueueFull()) {
          request.pause();
          upstreamRequest.drainHandler(v -> request.resume());
        }
      });
      request.endHandler(v -> upstreamRequest.end());
      request.exceptionHandler(t -> upstreamRequest.reset());
      request.resume();
    }

    /** The body crossed the limit mid-stream: stop reading, abandon the upstream request, answer 413. */
    private void overflow() {
      request.pause();
      request.handler(null);
      exchange.closeConnection();
      if (!done.future().isComplete()) {
        done.fail(new ProblemException(exchange.bodyLimitProblem()));
      } else {
        exchange.abortResponse();
      }
      upstreamRequest.reset();
    }
  }
}
