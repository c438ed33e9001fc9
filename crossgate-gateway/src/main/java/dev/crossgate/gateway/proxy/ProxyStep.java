package dev.crossgate.gateway.proxy;

import dev.crossgate.gateway.auth.PeerCertificate;
import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.chain.GatewayProblems;
import dev.crossgate.gateway.chain.SpooledBody;
import dev.crossgate.gateway.chain.Step;
import dev.crossgate.gateway.filter.TrustedProxies;
import dev.crossgate.gateway.upstream.Pool;
import dev.crossgate.gateway.upstream.UpstreamPools;
import dev.crossgate.http.ContentLength;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.http.IdleGuardedStream;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.Route;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step: sends the request to the route's target and hands the upstream response to the
 * chain as a stream. Bodies flow both ways with back-pressure (the upstream request is written only
 * as fast as it drains, the client's body is paused otherwise), and the body limit is counted while
 * streaming, so no large body is ever held whole; only an answer of at most {@link
 * ContentLength#SMALL_ANSWER_BYTES} is read whole, to be written with its head in one message.
 *
 * <p>Failure mapping (all problem+json): pool wait queue full → 503; connect refused, DNS failure
 * or connect timeout → 502; a TLS handshake that fails → 502 naming the reason class ({@link
 * UpstreamTlsSettings#failure}); no upstream activity for the route's response timeout before the
 * head → 504; no body bytes for the idle timeout after the head → the exchange is aborted ({@link
 * IdleGuardedStream}); upstream reset before the head → 502; after the head the client connection
 * is reset (the status is already sent).
 *
 * <p>{@link #call} sends a request taken from an exchange earlier ({@link #detach}) by the same
 * target, header and failure rules, for a gateway-held task whose exchange is gone.
 *
 * <p>A route to an upstream pool picks a target per attempt from the node's {@link UpstreamPools}
 * (balancing, health, retries: {@link Dispatch}).
 *
 * <p>One instance per event loop, with that loop's clients, so the target cache is confined.
 */
public final class ProxyStep implements Step {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyStep.class);
  private static final int TARGET_CACHE_LIMIT = 100_000;

  private final Vertx vertx;
  private final HttpClient client;
  private final HttpClient heldClient;
  private final WebSocketProxy webSockets;
  private final TrustedProxies trustedProxies;
  private final UpstreamPools pools;
  private final Map<String, UpstreamTarget> targets = new HashMap<>();
  private final UpstreamTlsSettings tls = new UpstreamTlsSettings();

  /**
   * @param heldClient the pool of {@link #call} (gateway-held task calls wait long for slow
   *     upstreams: their own pool, so they never take the proxy's connections)
   */
  public ProxyStep(
      Vertx vertx,
      HttpClient client,
      HttpClient heldClient,
      WebSocketClient webSocketClient,
      TrustedProxies trustedProxies,
      UpstreamPools pools) {
    this.vertx = vertx;
    this.pools = pools;
    this.client = client;
    this.heldClient = heldClient;
    this.webSockets = new WebSocketProxy(webSocketClient, tls);
    this.trustedProxies = trustedProxies;
  }

  @Override
  public Future<Void> onRequest(Exchange exchange, Chain next) {
    var route = exchange.route();
    Pool pool = null;
    int index = -1;
    UpstreamTarget target;
    if (route.pooled()) {
      pool = pools.pool(exchange.config().upstreams().get(route.upstream()));
      if (pool == null) {
        // the route arrived before its upstream (they travel as separate changes): not for long
        exchange.reply(
            Problem.badGateway(
                "the upstream " + route.upstream() + " is not configured on this node yet"));
        return Future.succeededFuture();
      }
      pool.requestStarted();
      index = pool.pick(hashKey(exchange, pool), 0);
      if (index < 0) {
        exchange.reply(Problem.badGateway(noTargets(route.upstream())));
        return Future.succeededFuture();
      }
      target = pool.address(index);
    } else {
      target = target(route.targetUrl());
    }
    exchange.upstream(target.authority());
    if (exchange.trace() != null) {
      exchange.trace().startProxy(target.authority());
    }
    var request = exchange.request();
    if (exchange.declaredLength() > exchange.bodyLimit()) {
      // the route's or a filter's limit, known only now: refuse before contacting the upstream
      exchange.closeConnection();
      exchange.reply(exchange.bodyLimitProblem());
      return Future.succeededFuture();
    }
    if (route.websocket() && isWebSocketUpgrade(request)) {
      var headers = upstreamHeaders(exchange, MultiMap.caseInsensitiveMultiMap());
      return webSockets.proxy(
          exchange, target, uri(exchange, target), headers, route.timeouts().connectMs());
    }
    var done = Promise.<Void>promise();
    new Dispatch(exchange, pool, done).send(index, target);
    return done.future();
  }

  private static String hashKey(Exchange exchange, Pool pool) {
    return pool.hashKey(exchange.request(), exchange.clientIp(), exchange.path());
  }

  /**
   * A request to a route's target taken from an exchange, to be sent later without it: a
   * gateway-held task's call, made after its caller got the 202. Target, request target and headers
   * are fixed when it is taken, by the same rules as a proxied request's.
   */
  public record Detached(
      String requestId,
      UpstreamTarget target,
      HttpMethod method,
      String uri,
      MultiMap headers,
      SpooledBody body,
      long connectMs,
      Route.UpstreamTls tls) {
    public Detached {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(headers, "headers");
      body = body == null ? SpooledBody.inMemory(Buffer.buffer()) : body;
    }
  }

  /** An upstream's answer read whole. */

  /**
   * Takes the request of {@code exchange} (on its event loop), with {@code body} read whole, for
   * {@link #call}.
   */
  public Detached detach(Exchange exchange, SpooledBody body) {
    var route = exchange.route();
    UpstreamTarget target;
    var pool =
        route.pooled() ? pools.pool(exchange.config().upstreams().get(route.upstream())) : null;
    if (pool != null) {
      // a held call is made once, later: one target now, no retries or in-flight accounting
      pool.requestStarted();
      int index = pool.pick(hashKey(exchange, pool), 0);
      if (index < 0) {
        throw new ProblemException(Problem.badGateway(noTargets(route.upstream())));
      }
      target = pool.address(index);
    } else if (route.pooled()) {
      throw new ProblemException(
          Problem.badGateway(
              "the upstream " + route.upstream() + " is not configured on this node yet"));
    } else {
      target = target(route.targetUrl());
    }
    return new Detached(
        exchange.requestId(),
        target,
        exchange.request().method(),
        uri(exchange, target),
        upstreamHeaders(exchange, MultiMap.caseInsensitiveMultiMap()),
        body,
        route.timeouts().connectMs(),
        route.tls());
  }

  /**
   * Sends a detached request on the held-call pool and hands the answer to {@code read} (which
   * stores its body where it likes, within {@code maxBodyBytes}). The upstream may be silent for
   * {@code timeout} at a time (a held call waits for slow upstreams, so not the route's response
   * timeout). Fails with the proxy's problems: 503 pool full, 502 connect failure, reset or an
   * answer above {@code maxBodyBytes}, 504 silence.
   */
  public <T> Future<T> call(
      Detached request,
      Duration timeout,
      long maxBodyBytes,
      java.util.function.Function<HttpClientResponse, Future<T>> read) {
    var upstream = request.target().authority();
    var options =
        options(
                request.target(),
                request.method(),
                request.uri(),
                request.connectMs(),
                timeout.toMillis(),
                request.tls())
            .setHeaders(request.headers());
    return heldClient
        .request(options)
        .recover(e -> Future.failedFuture(connectFailure(request.requestId(), upstream, e)))
        .compose(
            req ->
                send(req, request.body())
                    .compose(
                        response -> {
                          var declared = response.headers().get(HttpHeaders.CONTENT_LENGTH);
                          if (declared != null && Long.parseLong(declared.trim()) > maxBodyBytes) {
                            response.request().reset();
                            return Future.failedFuture(tooLarge(upstream, maxBodyBytes));
                          }
                          return read.apply(response)
                              .recover(
                                  e ->
                                      Future.failedFuture(
                                          e instanceof ProblemException pe
                                                  && pe.problem().status() == 413
                                              ? tooLarge(upstream, maxBodyBytes)
                                              : e));
                        })
                    .recover(
                        e ->
                            Future.failedFuture(
                                e instanceof ProblemException
                                    ? e
                                    : upstreamFailure(request.requestId(), upstream, e))));
  }

  /** Sends a detached body: nothing, the bytes, or the file streamed with its length. */
  private Future<HttpClientResponse> send(HttpClientRequest req, SpooledBody body) {
    if (!body.inFile()) {
      return body.size() == 0 ? req.send() : req.send(body.inline());
    }
    req.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.size()));
    return vertx
        .fileSystem()
        .open(body.file().toString(), new OpenOptions().setRead(true))
        .compose(req::send);
  }

  private static ProblemException tooLarge(String upstream, long limit) {
    return new ProblemException(
        Problem.badGateway(
            "the upstream " + upstream + " answered more than the " + limit + " bytes allowed"));
  }

  /**
   * The one place upstream request options are built: proxied requests and held calls, with the
   * route's TLS.
   */
  private RequestOptions options(
      UpstreamTarget target,
      HttpMethod method,
      String uri,
      long connectMs,
      long idleMs,
      Route.UpstreamTls routeTls) {
    var options =
        new RequestOptions()
            .setMethod(method)
            .setHost(target.host())
            .setPort(target.port())
            .setSsl(target.ssl())
            .setURI(uri)
            .setConnectTimeout(connectMs)
            .setIdleTimeout(idleMs);
    tls.apply(options, target, routeTls);
    return options;
  }

  /**
   * The request target sent upstream: the target's base path, a pooled route's {@code targetPath},
   * the remainder, the (flow's or caller's) query.
   */
  private static String uri(Exchange exchange, UpstreamTarget target) {
    var prefix = exchange.route().targetPath();
    var remainder = exchange.match().remainder();
    return target.uri(
        prefix == null ? remainder : prefix + remainder,
        exchange.replacedQuery() != null ? exchange.replacedQuery() : exchange.request().query());
  }

  /**
   * The headers sent upstream, written straight into {@code out} (the upstream request's own map).
   */
  private MultiMap upstreamHeaders(Exchange exchange, MultiMap out) {
    var request = exchange.request();
    ForwardHeaders.copyRequestHeaders(request.headers(), out);
    var peer = exchange.peerIp();
    ForwardHeaders.addForwarding(
        out,
        peer,
        trustedProxies.isTrusted(peer),
        request.scheme(),
        request.headers().get(HttpHeaders.HOST));
    out.set(CrossgateHeaders.REQUEST_ID, exchange.requestId());
    if (exchange.trace() != null) {
      // W3C Trace Context: the upstream's parent is the gateway's proxy span, not the caller's
      exchange.trace().injectProxy(out);
    }
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

  private static ProblemException connectFailure(
      String requestId, String upstream, Throwable cause) {
    if (cause instanceof ConnectionPoolTooBusyException) {
      return new ProblemException(
          GatewayProblems.upstreamBusy(
              "the upstream " + upstream + " has no free connection and its wait queue is full"));
    }
    LOG.info(
        "upstream connect failed requestId={} upstream={} cause={}",
        requestId,
        upstream,
        cause.toString());
    var tlsFailure = UpstreamTlsSettings.failure(cause);
    return new ProblemException(
        Problem.badGateway(
            tlsFailure == null
                ? "could not connect to the upstream " + upstream
                : "TLS with the upstream " + upstream + " failed: " + tlsFailure));
  }

  /**
   * The upstream failed after the connection was made: silence is 504, anything else (a reset) 502.
   */
  private static ProblemException upstreamFailure(
      String requestId, String upstream, Throwable cause) {
    var timeout =
        cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout");
    LOG.info(
        "upstream failed requestId={} upstream={} timeout={} cause={}",
        requestId,
        upstream,
        timeout,
        cause.toString());
    return new ProblemException(
        timeout
            ? Problem.gatewayTimeout("the upstream " + upstream + " did not answer in time")
            : Problem.badGateway(
                "the upstream " + upstream + " closed the connection without a response"));
  }

  /**
   * One request's way to the upstream: one attempt for a route to a {@code targetUrl}; for a route
   * to a pool, attempts on different targets while its retry rules allow. An attempt that failed
   * before the upstream answered is retried on a target not yet tried when the failure is listed in
   * the pool's {@code retries.on} and either nothing was sent (connect failure) or the method is
   * idempotent and the body can be sent again (none, or read whole by a step); within the retry
   * budget. All callbacks run on the exchange's event loop.
   */
  private final class Dispatch {
    private final Exchange exchange;
    private final Pool pool;
    private final Promise<Void> done;
    private long tried;
    private int retried;
    private int index = -1;
    private boolean attemptOpen;
    private final long startNanos = System.nanoTime();

    Dispatch(Exchange exchange, Pool pool, Promise<Void> done) {
      this.exchange = exchange;
      this.pool = pool;
      this.done = done;
      if (pool != null) {
        exchange.onComplete(e -> finishAttempt());
      }
    }

    void send(int target, UpstreamTarget address) {
      var route = exchange.route();
      var timeouts = route.timeouts();
      // until the response head arrives, silence means the response timeout; then the idle one
      long silenceMs = Math.min(timeouts.responseMs(), timeouts.idleMs());
      if (pool != null) {
        index = target;
        tried |= Pool.bit(target);
        attemptOpen = true;
        pool.started(target);
        exchange.upstream(address.authority());
        long perTry = pool.upstream().retries().perTryTimeoutMs();
        silenceMs = perTry > 0 ? Math.min(silenceMs, perTry) : silenceMs;
      }
      var options =
          options(
              address,
              exchange.request().method(),
              uri(exchange, address),
              timeouts.connectMs(),
              silenceMs,
              route.tls());
      client
          .request(options)
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  failed(ar.cause(), false);
                } else {
                  new Forwarding(exchange, ar.result(), timeouts, done, this).start();
                }
              });
    }

    /** The attempt failed before a response head: retried elsewhere, or the request fails. */
    void failed(Throwable cause, boolean connected) {
      if (done.future().isComplete()) {
        finishAttempt();
        return;
      }
      if (pool != null && !(cause instanceof ConnectionPoolTooBusyException)) {
        var kind = failureKind(cause, connected);
        finishAttempt();
        pool.failed(index, kind);
        if (retryAllowed(connected) && pool.upstream().retries().onFailure(kind) && retry()) {
          return;
        }
      }
      done.tryFail(
          connected
              ? upstreamFailure(exchange.requestId(), exchange.upstream(), cause)
              : connectFailure(exchange.requestId(), exchange.upstream(), cause));
    }

    /**
     * The upstream answered: true when the status is one the pool retries and another target takes
     * the request (the answer is dropped); otherwise the answer is counted and kept.
     */
    boolean retriedOn(HttpClientResponse response) {
      if (pool == null) {
        return false;
      }
      int status = response.statusCode();
      boolean gatewayError = status == 502 || status == 503 || status == 504;
      if (gatewayError) {
        pool.failed(index, Integer.toString(status));
      } else {
        pool.succeeded(index);
      }
      if (pool.upstream().retries().onStatus(status) && retryAllowed(true)) {
        int failedAttempt = index;
        if (retry()) {
          // the dropped answer's attempt is over; the new one counts from now
          pool.finished(failedAttempt);
          response.request().reset();
          return true;
        }
      }
      if (pool.panic(index)) {
        exchange.request().response().headers().set(CrossgateHeaders.UPSTREAM_PANIC, "true");
      }
      return false;
    }

    /** Whether the request may be sent again after an attempt that got ({@code sent}) this far. */
    private boolean retryAllowed(boolean sent) {
      if (retried >= pool.upstream().retries().attempts()) {
        return false;
      }
      return !sent || (IDEMPOTENT.contains(exchange.request().method()) && resendable(exchange));
    }

    /** Sends the request to an untried target, if there is one and the budget allows. */
    private boolean retry() {
      int next = pool.pick(hashKey(exchange, pool), tried);
      if (next < 0 || !pool.tryRetry()) {
        return false;
      }
      retried++;
      LOG.info(
          "upstream retry requestId={} upstream={} from={} to={} attempt={}",
          exchange.requestId(),
          pool.upstream().id(),
          exchange.upstream(),
          pool.address(next).authority(),
          retried + 1);
      attemptOpen = false; // the caller closed the failed attempt
      send(next, pool.address(next));
      return true;
    }

    private void finishAttempt() {
      if (attemptOpen) {
        attemptOpen = false;
        pool.finished(index);
      }
    }
  }

  /**
   * RFC 9110 section 9.2.2 idempotent methods: sending one twice means what sending it once does.
   */
  private static final java.util.Set<HttpMethod> IDEMPOTENT =
      java.util.Set.of(
          HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.PUT, HttpMethod.DELETE);

  /** Whether the request's body can be sent again: it has none, or a step read it whole. */
  private static boolean resendable(Exchange exchange) {
    if (exchange.requestBody() != null) {
      return true;
    }
    var headers = exchange.request().headers();
    var length = headers.get(HttpHeaders.CONTENT_LENGTH);
    return !headers.contains(HttpHeaders.TRANSFER_ENCODING)
        && (length == null || length.trim().equals("0"));
  }

  /** How an attempt failed, in the words of an upstream's {@code retries.on}. */
  private static String failureKind(Throwable cause, boolean connected) {
    var timeout =
        cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout");
    if (connected) {
      return timeout ? "timeout" : "reset";
    }
    var message = cause.getMessage();
    return cause instanceof java.net.ConnectException
            && message != null
            && message.toLowerCase(java.util.Locale.ROOT).contains("refused")
        ? "refused"
        : "connect-failure";
  }

  /** One request/response exchange with the upstream; all callbacks on the same event loop. */
  private final class Forwarding {
    private final Exchange exchange;
    private final HttpServerRequest request;
    private final HttpClientRequest upstreamRequest;
    private final Route.Timeouts timeouts;
    private final Promise<Void> done;
    private final Dispatch dispatch;
    private long sent;

    Forwarding(
        Exchange exchange,
        HttpClientRequest upstreamRequest,
        Route.Timeouts timeouts,
        Promise<Void> done,
        Dispatch dispatch) {
      this.exchange = exchange;
      this.request = exchange.request();
      this.upstreamRequest = upstreamRequest;
      this.timeouts = timeouts;
      this.done = done;
      this.dispatch = dispatch;
    }

    void start() {
      upstreamHeaders(exchange, upstreamRequest.headers());
      if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
        // RFC 9110 section 10.1.1: pass the upstream's 100 on, so the client sends its body only
        // once the origin is willing to take it
        upstreamRequest.continueHandler(v -> request.response().writeContinue());
      }
      if (!request.headers().contains(HttpHeaders.CONTENT_LENGTH)
          && request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
        upstreamRequest.setChunked(true);
      }
      // failures surface through response(); this keeps Vert.x from logging them a second time
      upstreamRequest.exceptionHandler(
          t ->
              LOG.debug(
                  "upstream request failed requestId={} cause={}",
                  exchange.requestId(),
                  t.toString()));
      if (request.headers().contains(HttpHeaders.EXPECT)) {
        // the client holds its body back until a 100 arrives: the upstream must see the head now
        upstreamRequest.writeHead();
      }
      upstreamRequest
          .response()
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  onUpstreamFailure(ar.cause());
                } else {
                  onResponse(ar.result());
                }
              });
      request.response().closeHandler(v -> upstreamRequest.reset());
      exchange.onComplete(
          e -> {
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
      if (dispatch.retriedOn(response)) {
        return;
      }
      // across retries: the upstream latency the caller waited for
      exchange.upstreamNanos(System.nanoTime() - dispatch.startNanos);
      if (ContentLength.small(request.method(), response)) {
        readWhole(response);
        return;
      }
      response.pause();
      // written straight into the server response's own headers: no intermediate copy
      var headers =
          ForwardHeaders.copyResponseHeaders(response.headers(), request.response().headers());
      exchange.respond(response.statusCode(), headers, idleGuarded(response), response::trailers);
      done.complete();
    }

    /** The upstream's body, abandoned (the upstream request reset) after the idle timeout. */
    private IdleGuardedStream idleGuarded(HttpClientResponse response) {
      return new IdleGuardedStream(
          response,
          vertx,
          timeouts.idleMs(),
          () -> {
            LOG.info(
                "upstream idle mid-body requestId={} upstream={} idleMs={}",
                exchange.requestId(),
                exchange.upstream(),
                timeouts.idleMs());
            upstreamRequest.reset();
          });
    }

    /**
     * A small answer ({@link ContentLength#small}) is read whole and written with its head: no
     * stream or pump per response. The idle guard still covers an upstream silent mid-body, which
     * the caller then sees as a 504 problem instead of a response cut short.
     */
    private void readWhole(HttpClientResponse response) {
      idleGuarded(response)
          .body()
          .onComplete(
              whole -> {
                if (whole.failed()) {
                  done.tryFail(
                      whole.cause() instanceof TimeoutException
                          ? new ProblemException(
                              Problem.gatewayTimeout(
                                  "the upstream " + exchange.upstream() + " stopped mid-body"))
                          : upstreamFailure(
                              exchange.requestId(), exchange.upstream(), whole.cause()));
                  return;
                }
                if (done.future().isComplete()) {
                  return; // the client went away, or a step's timeout answered already
                }
                // the headers go in only now: a failed read leaves the response's own map empty
                var headers =
                    ForwardHeaders.copyResponseHeaders(
                        response.headers(), request.response().headers());
                exchange.respond(response.statusCode(), headers, whole.result());
                done.complete();
              });
    }

    private void onUpstreamFailure(Throwable cause) {
      dispatch.failed(cause, true);
    }

    /**
     * Copies the client's body upstream, as fast as the upstream drains, counting against the
     * limit.
     */
    private void pumpBody() {
      var replaced = exchange.requestBody();
      if (replaced != null) {
        // a step read the body whole (a task stores it; a flow step may have changed it, within
        // the limit): it is sent instead, with its own length, from memory or streamed from its
        // file
        upstreamRequest.setChunked(false);
        upstreamRequest.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(replaced.size()));
        if (!replaced.inFile()) {
          upstreamRequest.end(replaced.inline());
          return;
        }
        vertx
            .fileSystem()
            .open(replaced.file().toString(), new OpenOptions().setRead(true))
            .compose(file -> file.pipeTo(upstreamRequest))
            .onFailure(e -> upstreamRequest.reset(0, e));
        return;
      }
      if (request.isEnded()) {
        upstreamRequest.end();
        return;
      }
      if (exchange.declaredLength() <= 0
          && !request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
        // RFC 9112 section 6.3: no Content-Length (or 0) and no Transfer-Encoding is no body, so
        // the upstream request ends now, with no handlers to wait for the client's end
        upstreamRequest.end();
        request.resume();
        return;
      }
      long limit = exchange.bodyLimit();
      request.handler(
          chunk -> {
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

    /**
     * The body crossed the limit mid-stream: stop reading, abandon the upstream request, answer
     * 413.
     */
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

  /** A pool with no targets: its dns+srv names have not answered yet (or never had records). */
  private static String noTargets(String upstream) {
    return "the upstream " + upstream + " has no targets yet: its SRV names have not answered";
  }
}
