package dev.crossgate.gateway.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossgate.extension.Extension;
import dev.crossgate.gateway.chain.Chain;
import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.gateway.extension.ExtensionProblems;
import dev.crossgate.gateway.extension.Extensions;
import dev.crossgate.gateway.extension.Verdict;
import dev.crossgate.http.BoundedBody;
import dev.crossgate.json.Json;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import io.netty.handler.codec.http.QueryStringEncoder;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One request through a flow with extension steps. Bodies are buffered only here, and only up to
 * the extension body limit: a larger request is answered 413, a larger upstream response 502. The
 * contract model of the request ({@code method, path, headers, query, body}) is kept current as
 * steps change it, so each step sees its predecessors' changes. Confined to the request's event
 * loop.
 */
final class FlowRun {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Exchange exchange;
  private final Extensions extensions;
  private final FlowStep.Plan plan;
  private final Extensions.Pin pin;
  private final ObjectNode request = NODES.objectNode();

  /**
   * @param callerVersion the version the caller asked for and may have (see {@link
   *     FlowStep#callerVersion}), or null to let the platform or the tenant choose
   */
  FlowRun(Exchange exchange, Extensions extensions, FlowStep.Plan plan, String callerVersion) {
    this.exchange = exchange;
    this.extensions = extensions;
    this.plan = plan;
    this.pin = new Extensions.Pin(callerVersion);
  }

  /**
   * The request phase: the steps before the proxy, then the rest of the chain unless one answered.
   */
  Future<Void> request(Chain next) {
    Future<Void> before =
        plan.before().isEmpty()
            ? Future.succeededFuture()
            : readRequest().compose(v -> steps(plan.before(), 0, null));
    return before
        .compose(v -> exchange.hasResponse() ? Future.succeededFuture() : next.proceed(exchange))
        .andThen(ar -> exchange.extensionVersion(pin.version()));
  }

  /**
   * The response phase: the steps after the proxy see the response, its body read whole. Skipped
   * for a problem (the gateway's own refusal is not the upstream's answer) and a taken-over
   * exchange.
   */
  Future<Void> response() {
    if (exchange.problem() != null || exchange.takenOver()) {
      return Future.succeededFuture();
    }
    // the head as the upstream sent it, before reading the body whole drops its framing headers
    var response = NODES.objectNode().put("status", exchange.status());
    response.set("headers", headersNode(exchange.responseHeaders()));
    return readResponseBody()
        .compose(
            body -> {
              if (body == null) {
                return Future.<Void>succeededFuture();
              }
              response.set("body", bodyNode(body, contentType()));
              return steps(plan.after(), 0, response);
            })
        .andThen(ar -> exchange.extensionVersion(pin.version()));
  }

  /**
   * Runs {@code steps} from {@code index} in order until one answers; {@code response} is the
   * response's contract model in the response phase, null in the request phase.
   */
  private Future<Void> steps(List<Extension> steps, int index, ObjectNode response) {
    if (index == steps.size() || exchange.hasResponse() && response == null) {
      return Future.succeededFuture();
    }
    var extension = steps.get(index);
    var input =
        NODES
            .objectNode()
            .put("requestId", exchange.requestId())
            .put("tenant", extension.tenant())
            .put("participant", exchange.caller() == null ? null : exchange.caller().participant())
            .put("extension", extension.id())
            .put("point", extension.point());
    input.set("request", request);
    if (response != null) {
      input.set("response", response);
    }
    return extensions
        .run(extension, pin, input, exchange.requestId(), exchange.trace())
        .compose(
            verdict -> {
              if (apply(verdict, response)) {
                return Future.succeededFuture();
              }
              return steps(steps, index + 1, response);
            });
  }

  /** Applies a verdict; true when the flow ends here (the request was answered). */
  private boolean apply(Verdict verdict, ObjectNode response) {
    if (verdict.problem() != null) {
      exchange.reply(verdict.problem());
      return true;
    }
    if (verdict.response() != null) {
      if (response == null) {
        answer(verdict.response());
        return true;
      }
      changeResponse(verdict.response(), response);
    } else if (verdict.request() != null && response == null) {
      changeRequest(verdict.request());
    }
    return false;
  }

  // ---- the request

  private Future<Void> readRequest() {
    var req = exchange.request();
    request.put("method", req.method().name());
    request.put("path", exchange.path() == null ? req.path() : exchange.path());
    request.set("headers", headersNode(req.headers()));
    var query = NODES.objectNode();
    req.params()
        .forEach(
            e -> {
              if (!query.has(e.getKey())) {
                query.put(e.getKey(), e.getValue());
              }
            });
    request.set("query", query);
    long limit = Math.min(exchange.bodyLimit(), extensions.options().bodyLimitBytes());
    if (exchange.declaredLength() > limit) {
      tooLarge(limit);
      return Future.succeededFuture();
    }
    if (req.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
      // RFC 9110 section 10.1.1: the body is needed now, not after the upstream agreed
      req.response().writeContinue();
      req.headers().remove(HttpHeaders.EXPECT);
    }
    Future<Buffer> read =
        req.isEnded()
            ? Future.succeededFuture(Buffer.buffer())
            : BoundedBody.read(req, limit, exchange.bufferLease());
    return read.<Void>map(
            body -> {
              request.set("body", bodyNode(body, req.headers().get(HttpHeaders.CONTENT_TYPE)));
              exchange.requestBody(body);
              return null;
            })
        .recover(
            e -> {
              if (BoundedBody.tooLarge(e)) {
                tooLarge(limit);
                return Future.succeededFuture();
              }
              if (e instanceof ProblemException refused) {
                exchange.discardRestOfBody(64L << 20);
                exchange.reply(refused.problem());
                return Future.succeededFuture();
              }
              return Future.failedFuture(e);
            });
  }

  private void tooLarge(long limit) {
    exchange.closeConnection();
    exchange.reply(
        limit < exchange.bodyLimit()
            ? Problem.payloadTooLarge(limit)
            : exchange.bodyLimitProblem());
  }

  private void changeRequest(JsonNode change) {
    var headers = exchange.request().headers();
    mergeHeaders(change.get("headers"), headers, (ObjectNode) request.get("headers"));
    var query = change.get("query");
    if (query != null && query.isObject()) {
      var current = (ObjectNode) request.get("query");
      merge(query, current);
      var encoder = new QueryStringEncoder("");
      current.properties().forEach(e -> encoder.addParam(e.getKey(), e.getValue().asText()));
      var encoded = encoder.toString();
      exchange.replaceQuery(encoded.startsWith("?") ? encoded.substring(1) : encoded);
    }
    if (change.has("body")) {
      var bytes = bodyBytes(change.get("body"), headers);
      // later steps see the body as the contract shows any body, whatever form this step gave it in
      request.set("body", bodyNode(bytes, headers.get(HttpHeaders.CONTENT_TYPE)));
      exchange.requestBody(bytes);
      headers.set(HttpHeaders.CONTENT_LENGTH, String.valueOf(bytes.length()));
      headers.remove(HttpHeaders.TRANSFER_ENCODING);
    }
  }

  // ---- the response

  /**
   * The response body, read whole within the extension limit and the buffer budget, and set as the
   * exchange's buffered body. Null when it was refused: the exchange then answers the problem and
   * the upstream connection is reset. Each stream callback acts only if it completes this read's
   * promise, so one that fires late (the end after a refusal) changes nothing.
   */
  private Future<Buffer> readResponseBody() {
    var stream = exchange.bodyStream();
    if (stream == null) {
      return Future.succeededFuture(exchange.body() == null ? Buffer.buffer() : exchange.body());
    }
    int limit = extensions.options().bodyLimitBytes();
    var done = Promise.<Buffer>promise();
    var body = Buffer.buffer();
    var lease = exchange.bufferLease();
    stream.handler(
        chunk -> {
          if (done.future().isComplete()) {
            return;
          }
          Problem refused = null;
          if (body.length() + chunk.length() > limit) {
            refused = ExtensionProblems.responseTooLarge(limit);
          } else {
            try {
              lease.reserve(chunk.length());
            } catch (ProblemException e) {
              refused = e.problem();
            }
          }
          if (refused == null) {
            body.appendBuffer(chunk);
            return;
          }
          stream.handler(null);
          exchange.reply(refused);
          done.complete(null);
          // the rest of the upstream body is unwanted: drop that connection rather than drain it
          if (stream instanceof HttpClientResponse upstream) {
            upstream.request().reset();
          }
        });
    stream.exceptionHandler(done::tryFail);
    stream.endHandler(
        v -> {
          if (done.tryComplete(body)) {
            respond(exchange.status(), exchange.responseHeaders(), body);
          }
        });
    stream.resume();
    return done.future();
  }

  private String contentType() {
    return exchange.responseHeaders() == null
        ? null
        : exchange.responseHeaders().get(HttpHeaders.CONTENT_TYPE);
  }

  /** A request step answered: its response goes back to the client, the upstream is not called. */
  private void answer(JsonNode given) {
    var headers = MultiMap.caseInsensitiveMultiMap();
    mergeHeaders(given.get("headers"), headers, NODES.objectNode());
    var body = given.get("body");
    var bytes = body == null || body.isNull() ? Buffer.buffer() : bodyBytes(body, headers);
    respond(given.path("status").asInt(200), headers, bytes);
  }

  private void changeResponse(JsonNode change, ObjectNode response) {
    int status = change.path("status").asInt(exchange.status());
    var headers = exchange.responseHeaders();
    mergeHeaders(change.get("headers"), headers, (ObjectNode) response.get("headers"));
    var bytes = exchange.body();
    if (change.has("body")) {
      bytes = bodyBytes(change.get("body"), headers);
      response.set("body", bodyNode(bytes, headers.get(HttpHeaders.CONTENT_TYPE)));
    }
    response.put("status", status);
    respond(status, headers, bytes);
  }

  private void respond(int status, MultiMap headers, Buffer body) {
    // the body is whole now: its length is the buffer's, not what the upstream announced
    headers.remove(HttpHeaders.CONTENT_LENGTH);
    headers.remove(HttpHeaders.TRANSFER_ENCODING);
    exchange.respond(status < 100 || status > 599 ? 502 : status, headers, body);
  }

  // ---- the contract's JSON model

  private static ObjectNode headersNode(MultiMap headers) {
    var node = NODES.objectNode();
    if (headers != null) {
      for (var name : headers.names()) {
        node.put(name.toLowerCase(java.util.Locale.ROOT), String.join(", ", headers.getAll(name)));
      }
    }
    return node;
  }

  /** Sets (string value) or removes (null) each header named in {@code change}, in both views. */
  private static void mergeHeaders(JsonNode change, MultiMap headers, ObjectNode model) {
    if (change == null || !change.isObject()) {
      return;
    }
    for (var e : change.properties()) {
      var name = e.getKey().toLowerCase(java.util.Locale.ROOT);
      if (e.getValue().isNull()) {
        headers.remove(name);
        model.remove(name);
      } else {
        headers.set(name, e.getValue().asText());
        model.put(name, e.getValue().asText());
      }
    }
  }

  private static void merge(JsonNode change, ObjectNode target) {
    change
        .properties()
        .forEach(
            e -> {
              if (e.getValue().isNull()) {
                target.remove(e.getKey());
              } else {
                target.put(e.getKey(), e.getValue().asText());
              }
            });
  }

  /** A body as the contract shows it: JSON when it is JSON, else text, null when empty. */
  private static JsonNode bodyNode(Buffer body, String contentType) {
    if (body.length() == 0) {
      return NODES.nullNode();
    }
    if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).contains("json")) {
      try {
        return Json.mapper().readTree(body.getBytes());
      } catch (java.io.IOException e) {
        // not the JSON it claims to be: shown as text, like any other body
      }
    }
    return NODES.textNode(body.toString(StandardCharsets.UTF_8));
  }

  /** A body a step gave: text is sent as is, JSON is serialised and labelled application/json. */
  private static Buffer bodyBytes(JsonNode body, MultiMap headers) {
    if (body == null || body.isNull()) {
      return Buffer.buffer();
    }
    if (body.isTextual()) {
      if (!headers.contains(HttpHeaders.CONTENT_TYPE)) {
        headers.set(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8");
      }
      return Buffer.buffer(body.asText(), "UTF-8");
    }
    headers.set(HttpHeaders.CONTENT_TYPE, "application/json");
    return Buffer.buffer(Json.writeBytes(body));
  }
}
