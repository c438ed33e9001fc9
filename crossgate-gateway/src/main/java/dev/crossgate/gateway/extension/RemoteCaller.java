package dev.crossgate.gateway.extension;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.egress.EgressClient;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.extension.Extension;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Calls an extension at its tenant: {@code POST endpoint} with the contract JSON, the pinned
 * version (if any) in {@link CrossgateHeaders#EXTENSION_VERSION}, the answer JSON back, over
 * HTTP/1.1 or HTTP/2 ({@link Extension.Protocol}); or, for GRPC, the same contract as one unary
 * gRPC call ({@link GrpcUnary}, {@link ExtensionProto}) on the same HTTP/2 clients, with a {@code
 * grpc-timeout} of what is left of the extension's timeout. POOLED extensions share keep-alive
 * connections (HTTP2 and GRPC: one multiplexed connection per endpoint address, pinged every {@link
 * #HTTP2_PING_INTERVAL_MS} ms); ON_DEMAND ones get a connection per call, closed after it. The
 * whole call (resolve, connect, send, answer) is bounded by the extension's timeout. The endpoint
 * is the tenant's URL, so the call goes to an address the {@link EgressPolicy} allows, checked on
 * every call (the registry's check at registration proves nothing about today's DNS). Runs on the
 * calling event loop; never blocks.
 */
final class RemoteCaller {
  /** The answer of a tenant: its JSON and the version it says it ran (null if it did not say). */
  record Answer(JsonNode body, String version) {}

  /** How often a pooled HTTP/2 connection is pinged (RFC 9113 section 6.7) while it is open. */
  static final long HTTP2_PING_INTERVAL_MS = 30_000;

  private final Vertx vertx;
  private final HttpClient pooled;
  private final HttpClient onDemand;

  /**
   * HTTP2 POOLED: at most one connection per endpoint address, every call a stream on it. Never
   * evicted for idleness (keep-alive timeout 0): kept alive with pings instead, and closed when a
   * ping fails, so the next call opens a fresh one.
   */
  private final HttpClient http2;

  /** HTTP2 ON_DEMAND: one connection per call (multiplexing limit 1), closed after the answer. */
  private final HttpClient http2OnDemand;

  private final Set<HttpConnection> http2Connections = ConcurrentHashMap.newKeySet();
  private final long pingTimer;
  private final EgressClient egress;
  private final int replyLimit;

  RemoteCaller(Vertx vertx, int replyLimit, EgressPolicy policy) {
    this.vertx = vertx;
    this.replyLimit = replyLimit;
    this.pooled =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
            new PoolOptions().setHttp1MaxSize(32));
    this.onDemand =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(false).setTcpNoDelay(true),
            new PoolOptions().setHttp1MaxSize(32));
    this.http2 =
        vertx.createHttpClient(
            http2Options().setHttp2KeepAliveTimeout(0), new PoolOptions().setHttp2MaxSize(1));
    this.http2OnDemand =
        vertx.createHttpClient(
            http2Options().setHttp2MultiplexingLimit(1), new PoolOptions().setHttp2MaxSize(32));
    this.egress = EgressClient.create(vertx, pooled, policy);
    this.pingTimer = vertx.setPeriodic(HTTP2_PING_INTERVAL_MS, id -> pingHttp2Connections());
  }

  /**
   * HTTP/2 from the first byte: prior knowledge on cleartext (h2c, RFC 9113 section 3.3), ALPN on
   * TLS; no HTTP/1.1 upgrade round trip.
   */
  private static HttpClientOptions http2Options() {
    return new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setUseAlpn(true)
        .setTcpNoDelay(true);
  }

  private void pingHttp2Connections() {
    for (var connection : http2Connections) {
      connection
          .ping(Buffer.buffer(new byte[8]))
          .onFailure(
              e -> {
                // a connection that does not answer a ping is gone: the next call opens another
                http2Connections.remove(connection);
                connection.close();
              });
    }
  }

  /** Tracks a pooled HTTP/2 connection for pings until it closes. */
  private void track(HttpConnection connection) {
    if (http2Connections.add(connection)) {
      connection.closeHandler(v -> http2Connections.remove(connection));
    }
  }

  private HttpClient client(Extension extension) {
    boolean isPooled = extension.connection() == Extension.Connection.POOLED;
    if (extension.protocol() != Extension.Protocol.HTTP) {
      return isPooled ? http2 : http2OnDemand;
    }
    return isPooled ? pooled : onDemand;
  }

  EgressClient egress() {
    return egress;
  }

  /**
   * Calls the tenant's endpoint with the contract's {@code input}: as JSON ({@code HTTP}, {@code
   * HTTP2}) or as an ExtensionRequest message ({@code GRPC}); with {@code span} (tracing on) its
   * {@code traceparent} is sent.
   */
  Future<Answer> call(
      Extension extension,
      String version,
      JsonNode input,
      String requestId,
      io.opentelemetry.api.trace.Span span) {
    boolean grpc = extension.protocol() == Extension.Protocol.GRPC;
    // the most the answer's body may carry: the reply, and for gRPC its message's length prefix
    long bodyLimit = replyLimit + (grpc ? GrpcUnary.PREFIX : 0);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(extension.timeoutMs());
    var client = client(extension);
    var options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setConnectTimeout(extension.timeoutMs())
            .setIdleTimeout(extension.timeoutMs())
            .putHeader(CrossgateHeaders.REQUEST_ID, requestId);
    if (grpc) {
      // gRPC over HTTP/2: TE is how a server knows the client reads trailers (grpc-status)
      options
          .putHeader(HttpHeaders.CONTENT_TYPE, GrpcUnary.CONTENT_TYPE)
          .putHeader("te", "trailers");
    } else {
      options.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    if (version != null) {
      options.putHeader(CrossgateHeaders.EXTENSION_VERSION, version);
    }
    if (span != null) {
      dev.crossgate.trace.Tracing.inject(span, options.getHeaders());
    }
    var body =
        grpc
            ? GrpcUnary.frame(ExtensionProto.request(input))
            : Buffer.buffer(Json.writeBytes(input));
    var done = Promise.<Answer>promise();
    var sent = new HttpClientRequest[1];
    long timer =
        vertx.setTimer(
            extension.timeoutMs(),
            t -> {
              if (done.tryFail(
                      new ExtensionFailure(
                          ExtensionFailure.Kind.TIMEOUT,
                          "no answer within " + extension.timeoutMs() + " ms"))
                  && sent[0] != null) {
                sent[0].reset();
              }
            });
    egress
        .admit(extension.endpoint())
        .compose(
            destination -> {
              var target = EgressClient.to(options, destination);
              // a GRPC endpoint is a base URL: the method's path is the service's
              return client.request(grpc ? target.setURI(GrpcUnary.PATH) : target);
            })
        .compose(
            request -> {
              sent[0] = request;
              if (client == http2) {
                track(request.connection());
              }
              if (done.future().isComplete()) {
                // timed out while connecting: give the connection back unused
                request.reset();
                return Future.failedFuture(
                    new ExtensionFailure(ExtensionFailure.Kind.TIMEOUT, "timed out"));
              }
              if (grpc) {
                request.putHeader(
                    GrpcUnary.TIMEOUT, GrpcUnary.timeout(deadline - System.nanoTime()));
              }
              return request.send(body);
            })
        .compose(
            response -> {
              var length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
              if (length != null && Long.parseLong(length) > bodyLimit) {
                response.request().reset();
                return Future.failedFuture(tooLarge());
              }
              if (response.statusCode() != 200) {
                return response
                    .body()
                    .transform(
                        ignored ->
                            Future.failedFuture(
                                new ExtensionFailure(
                                    ExtensionFailure.Kind.ERROR_STATUS,
                                    "the tenant answered " + response.statusCode())));
              }
              var answeredVersion = response.getHeader(CrossgateHeaders.EXTENSION_VERSION);
              return response
                  .body()
                  .map(
                      answer -> {
                        if (answer.length() > bodyLimit) {
                          throw tooLarge();
                        }
                        return new Answer(
                            grpc ? grpcAnswer(extension, response, answer) : parse(answer),
                            answeredVersion);
                      });
            })
        .onComplete(
            ar -> {
              vertx.cancelTimer(timer);
              if (client == http2OnDemand && sent[0] != null) {
                sent[0].connection().close();
              }
              if (ar.succeeded()) {
                done.tryComplete(ar.result());
              } else {
                done.tryFail(
                    ar.cause() instanceof ExtensionFailure
                        ? ar.cause()
                        : new ExtensionFailure(
                            ExtensionFailure.Kind.UNREACHABLE,
                            "the tenant's endpoint could not be reached"));
              }
            });
    return done.future();
  }

  /**
   * A whole gRPC answer: its {@code grpc-status} (a trailer, or a header when the answer is
   * trailers-only) and, when OK, its one ExtensionResponse message.
   */
  private JsonNode grpcAnswer(Extension extension, HttpClientResponse response, Buffer body) {
    var type = response.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.startsWith(GrpcUnary.CONTENT_TYPE)) {
      throw new ExtensionFailure(ExtensionFailure.Kind.BAD_REPLY, "the answer is not gRPC");
    }
    var status = response.getHeader(GrpcUnary.STATUS);
    if (status == null) {
      status = response.getTrailer(GrpcUnary.STATUS);
    }
    if (status == null) {
      throw new ExtensionFailure(ExtensionFailure.Kind.BAD_REPLY, "the answer has no grpc-status");
    }
    if (!"0".equals(status.trim())) {
      throw GrpcUnary.failure(status, extension.timeoutMs());
    }
    return ExtensionProto.answer(GrpcUnary.message(body, replyLimit));
  }

  private ExtensionFailure tooLarge() {
    return new ExtensionFailure(
        ExtensionFailure.Kind.TOO_LARGE, "the answer exceeds " + replyLimit + " bytes");
  }

  /** Reads an answer as JSON; anything else is a BAD_REPLY failure. */
  static JsonNode parse(Buffer body) {
    try {
      var node = Json.mapper().readTree(body.getBytes());
      if (node == null || !node.isObject()) {
        throw new ExtensionFailure(
            ExtensionFailure.Kind.BAD_REPLY, "the answer is not a JSON object");
      }
      return node;
    } catch (java.io.IOException e) {
      throw new ExtensionFailure(ExtensionFailure.Kind.BAD_REPLY, "the answer is not valid JSON");
    }
  }

  Future<Void> close() {
    vertx.cancelTimer(pingTimer);
    return pooled
        .close()
        .eventually(onDemand::close)
        .eventually(http2::close)
        .eventually(http2OnDemand::close);
  }
}
