package dev.crossgate.gateway.chain;

import dev.crossgate.auth.Caller;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.http.BufferBudget;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemResponses;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteMatch;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One request through the gateway: the request, what the steps learnt about it, and the response
 * head once a step produced one. Confined to the connection's event loop, so not synchronised. The
 * configuration snapshot is read once when the exchange starts: a request is served by one
 * consistent revision even if the node swaps snapshots meanwhile.
 */
public final class Exchange {

  /** The interaction mode the path marker asked for; NONE when the path carried no marker. */
  public enum Marker {
    NONE,
    SYNC,
    ASYNC
  }

  private final HttpServerRequest request;
  private final GatewayConfig config;
  private final String requestId;
  private final long startNanos;
  private final BufferBudget bufferBudget;
  private BufferBudget.Lease bufferLease;
  private final String peerIp;
  private String clientIp;
  private String path;
  private Marker marker = Marker.NONE;
  private RouteMatch.Found match;
  private static final long UNREAD = Long.MIN_VALUE;
  private long declaredLength = UNREAD;
  private long bodyLimit = Long.MAX_VALUE;
  private Problem bodyLimitProblem;
  private String upstream;
  private long upstreamNanos = -1;
  private dev.crossgate.trace.RequestTrace trace;
  private Caller caller;
  private boolean credentialRejected;
  private Problem tokenRejection;
  private Map<String, String> callerHeaders = Map.of();
  private SpooledBody requestBody;
  private String replacedQuery;
  private String extensionVersion;

  private int status;
  private MultiMap responseHeaders;
  private Buffer body;
  private ReadStream<Buffer> bodyStream;
  private Supplier<MultiMap> trailers;
  private Problem problem;
  private boolean takenOver;
  private boolean closeConnection;
  private final List<Consumer<Exchange>> completionListeners = new ArrayList<>(2);
  private boolean completed;
  private boolean responseFailed;
  private boolean clientGone;

  public Exchange(
      HttpServerRequest request, GatewayConfig config, String requestId, long startNanos) {
    this(request, config, requestId, startNanos, BufferBudget.UNLIMITED);
  }

  /**
   * @param bufferBudget the node's budget for bodies read whole, drawn on through {@link
   *     #bufferLease()}
   */
  public Exchange(
      HttpServerRequest request,
      GatewayConfig config,
      String requestId,
      long startNanos,
      BufferBudget bufferBudget) {
    this.request = request;
    this.config = config;
    this.requestId = requestId;
    this.startNanos = startNanos;
    this.bufferBudget = bufferBudget;
    this.peerIp =
        request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    this.clientIp = peerIp;
  }

  /** The address the connection comes from, whatever X-Forwarded-For says. */
  public String peerIp() {
    return peerIp;
  }

  public HttpServerRequest request() {
    return request;
  }

  public GatewayConfig config() {
    return config;
  }

  public String requestId() {
    return requestId;
  }

  public long startNanos() {
    return startNanos;
  }

  /**
   * The client's IP: the peer, or the first untrusted hop of X-Forwarded-For behind trusted
   * proxies.
   */
  public String clientIp() {
    return clientIp;
  }

  public void clientIp(String ip) {
    this.clientIp = Objects.requireNonNull(ip);
  }

  /** The normalised request path, without the mode marker; null until normalised. */
  public String path() {
    return path;
  }

  public void path(String normalized) {
    this.path = normalized;
  }

  public Marker marker() {
    return marker;
  }

  public void marker(Marker m) {
    this.marker = m;
  }

  public RouteMatch.Found match() {
    return match;
  }

  public Route route() {
    return match == null ? null : match.route();
  }

  public void match(RouteMatch.Found found) {
    this.match = found;
  }

  /**
   * The request's declared {@code Content-Length}, -1 when it declares none.
   *
   * @throws dev.crossgate.problem.ProblemException 400 when it is not a number
   */
  public long declaredLength() {
    // read by several steps and the proxy on every request: parsed once
    if (declaredLength == UNREAD) {
      declaredLength = dev.crossgate.http.ContentLength.declared(request);
    }
    return declaredLength;
  }

  /** The most bytes of request body allowed, and the problem answered above it. */
  public long bodyLimit() {
    return bodyLimit;
  }

  public Problem bodyLimitProblem() {
    return bodyLimitProblem == null ? Problem.payloadTooLarge(bodyLimit) : bodyLimitProblem;
  }

  /** Lowers the body limit (never raises it); {@code exceeded} is answered when it is crossed. */
  public void limitBody(long limit, Problem exceeded) {
    if (limit < bodyLimit) {
      bodyLimit = limit;
      bodyLimitProblem = exceeded;
    }
  }

  public String upstream() {
    return upstream;
  }

  public void upstream(String hostAndPort) {
    this.upstream = hostAndPort;
  }

  /** The request's spans, or null when tracing is off. */
  public dev.crossgate.trace.RequestTrace trace() {
    return trace;
  }

  public void trace(dev.crossgate.trace.RequestTrace requestTrace) {
    this.trace = requestTrace;
  }

  /** Request sent to the upstream's response head, in nanoseconds; -1 when no upstream answered. */
  public long upstreamNanos() {
    return upstreamNanos;
  }

  public void upstreamNanos(long nanos) {
    this.upstreamNanos = nanos;
  }

  /** Who is calling, as resolved by the caller step; null for an anonymous request. */
  public Caller caller() {
    return caller;
  }

  public void caller(Caller resolved) {
    this.caller = resolved;
  }

  /** True when the request presented an API key that is not valid (it is then anonymous). */
  public boolean credentialRejected() {
    return credentialRejected;
  }

  public void credentialRejected(boolean rejected) {
    this.credentialRejected = rejected;
  }

  /** Why the bearer JWT was refused (a 401 naming the check), or null. */
  public Problem tokenRejection() {
    return tokenRejection;
  }

  public void tokenRejection(Problem rejection) {
    this.tokenRejection = rejection;
    this.credentialRejected = true;
  }

  /**
   * The headers that carry a token caller's identity upstream (its issuer's {@code
   * claimsToHeaders}); empty for other callers.
   */
  public Map<String, String> callerHeaders() {
    return callerHeaders;
  }

  public void callerHeaders(Map<String, String> headers) {
    this.callerHeaders = Map.copyOf(headers);
  }

  /**
   * The request body when a step had to read it whole (an async task stores it before anything else
   * happens; a flow step may have changed it); the proxy then sends it instead of streaming the
   * client's body. Null for streamed requests.
   */
  public SpooledBody requestBody() {
    return requestBody;
  }

  public void requestBody(SpooledBody body) {
    this.requestBody = body;
  }

  public void requestBody(Buffer body) {
    this.requestBody = SpooledBody.inMemory(body);
  }

  /** The query string (without '?') a flow step set, or null to forward the client's. */
  public String replacedQuery() {
    return replacedQuery;
  }

  public void replaceQuery(String query) {
    this.replacedQuery = query;
  }

  /** The extension version this request's flow was pinned to, or null when no extension ran. */
  public String extensionVersion() {
    return extensionVersion;
  }

  public void extensionVersion(String version) {
    this.extensionVersion = version;
  }

  // ---- the response head, set by the step that answers

  /** Answers with a problem; the renderer adds the request id and the problem's headers. */
  public void reply(Problem p) {
    var withId = ProblemResponses.withRequestId(p, requestId);
    var headers = MultiMap.caseInsensitiveMultiMap();
    ProblemResponses.addHeaders(withId, headers);
    this.problem = withId;
    setHead(p.status(), headers);
    this.body = ProblemResponses.body(withId);
    this.bodyStream = null;
    this.trailers = null;
  }

  /**
   * Answers with a streamed body (the upstream's); {@code trailerSource} is read after the body
   * ends.
   */
  public void respond(
      int statusCode,
      MultiMap headers,
      ReadStream<Buffer> stream,
      Supplier<MultiMap> trailerSource) {
    setHead(statusCode, headers);
    this.bodyStream = stream;
    this.trailers = trailerSource;
    this.body = null;
    this.problem = null;
  }

  /** Answers with a small body the gateway made itself. */
  public void respond(int statusCode, MultiMap headers, Buffer content) {
    setHead(statusCode, headers);
    this.body = content;
    this.bodyStream = null;
    this.trailers = null;
    this.problem = null;
  }

  /** The step writes the response itself (a WebSocket upgrade, a built-in endpoint). */
  public void takeOver() {
    this.takenOver = true;
  }

  private void setHead(int statusCode, MultiMap headers) {
    var live = request.response().headers();
    if (responseHeaders == live && headers != live) {
      live.clear(); // a step wrote into the response's own headers, and another answer replaces it
    }
    this.status = statusCode;
    this.responseHeaders = headers;
  }

  public boolean hasResponse() {
    return responseHeaders != null;
  }

  public boolean takenOver() {
    return takenOver;
  }

  public int status() {
    return status;
  }

  public void status(int statusCode) {
    this.status = statusCode;
  }

  public MultiMap responseHeaders() {
    return responseHeaders;
  }

  public Buffer body() {
    return body;
  }

  public ReadStream<Buffer> bodyStream() {
    return bodyStream;
  }

  public Supplier<MultiMap> trailers() {
    return trailers;
  }

  /** The problem answered, if the gateway answered with one. */
  public Problem problem() {
    return problem;
  }

  /**
   * Asks for the connection to be closed after this response (the rest of the request is unread).
   */
  public void closeConnection() {
    this.closeConnection = true;
  }

  /**
   * For a request refused before its body was read (over the node's buffer budget, a quota): reads
   * and drops the rest of the body, so the client sees the answer and the connection stays usable.
   * A client still sending into a closed connection gets a reset and often never reads the answer.
   * Bodies of unknown length or over {@code maxDrainBytes} are not worth the bandwidth: the
   * connection is closed after the answer instead.
   */
  public void discardRestOfBody(long maxDrainBytes) {
    if (request.isEnded()) {
      return;
    }
    long declared = declaredLength();
    if (declared < 0 || declared > maxDrainBytes) {
      closeConnection();
      return;
    }
    request.handler(chunk -> {});
    request.exceptionHandler(e -> {});
    request.endHandler(v -> {});
    request.resume();
  }

  public boolean closesConnection() {
    return closeConnection;
  }

  /**
   * Abandons a response whose head was sent: the client must see it fail rather than wait for the
   * rest. HTTP/2 resets the stream; HTTP/1.1 can only close the connection.
   */
  public void abortResponse() {
    if (request.version() == HttpVersion.HTTP_2) {
      request.response().reset();
    } else {
      request.connection().close();
    }
  }

  /** True when the response could not be completed (connection lost, upstream reset mid-body). */
  public boolean responseFailed() {
    return responseFailed;
  }

  /**
   * True when the response failed because the client closed its connection first: an everyday
   * event, counted and logged quietly, not an upstream or gateway error.
   */
  public boolean clientGone() {
    return clientGone;
  }

  void markClientGone() {
    this.clientGone = true;
  }

  /** Runs {@code listener} once, when the response has been written or abandoned. */
  /**
   * This exchange's share of the node's buffer budget: a step or endpoint that must hold a body
   * whole reserves its bytes here first (503 when the node is over budget). Released when the
   * exchange completes.
   */
  public BufferBudget.Lease bufferLease() {
    if (bufferLease == null) {
      bufferLease = bufferBudget.lease();
      if (completed) {
        bufferLease.close();
      }
    }
    return bufferLease;
  }

  public void onComplete(Consumer<Exchange> listener) {
    completionListeners.add(listener);
  }

  void complete(boolean failed) {
    if (completed) {
      return;
    }
    completed = true;
    responseFailed = failed;
    if (bufferLease != null) {
      bufferLease.close();
    }
    for (var l : completionListeners) {
      l.accept(this);
    }
  }

  /** For steps that take over: reports the exchange finished, so it is logged and counted. */
  public void completeTakenOver(int finalStatus, boolean failed) {
    this.status = finalStatus;
    complete(failed);
  }
}
