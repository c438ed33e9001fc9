package dev.crossgate.agent.task;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import dev.crossgate.retry.Backoff;
import dev.crossgate.trace.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.time.Duration;
import java.time.Instant;

/**
 * The agent's calls to the gateway's task API, with its API key. Each call is a client span, child
 * of the span that accepted the task, whose {@code traceparent} the gateway is sent (tracing on).
 * Event loop.
 */
final class GatewayCalls {
  private static final long TIMEOUT_MS = 30_000;

  /** A whole response from the gateway. */
  record Reply(int status, String contentType, Buffer body, MultiMap headers) {
    JsonNode json() {
      return Json.read(body.toString(), JsonNode.class);
    }

    /**
     * 429, 502, 503, 504: the gateway, or something in front of it, could not take the call now.
     */
    boolean transientFailure() {
      return status == 429 || status == 502 || status == 503 || status == 504;
    }

    /** The wait the gateway asked for with a 429 or 503 (RFC 9110 section 10.2.3), else null. */
    Duration retryAfter(Instant now) {
      return Backoff.retryAfter(status, headers.get(HttpHeaders.RETRY_AFTER), now);
    }

    /**
     * DONE or FAILED when this answer is the task's stored result as the gateway serves it; null
     * for any other answer to a result fetch (409 not yet, 429 rate limit, 503 from a proxy in
     * front...), which is a problem about the fetch and never the task's result.
     */
    String storedTaskStatus() {
      var s = headers.get(CrossgateHeaders.TASK_STATUS);
      return "DONE".equals(s) || "FAILED".equals(s) ? s : null;
    }
  }

  private final HttpClient client;
  private final String gatewayUrl;
  private final String apiKey;
  private final Tracing tracing;

  GatewayCalls(HttpClient client, String gatewayUrl, String apiKey, Tracing tracing) {
    this.client = client;
    this.gatewayUrl = gatewayUrl;
    this.apiKey = apiKey;
    this.tracing = tracing;
  }

  Future<Reply> submit(AgentTask task, Buffer body) {
    var options =
        options(HttpMethod.valueOf(task.requestMethod()), task.requestUri())
            .addHeader(CrossgateHeaders.ENVELOPE, task.envelope());
    if (task.requestType() != null) {
      options.addHeader(HttpHeaders.CONTENT_TYPE, task.requestType());
    }
    return send("gateway submit", task, options, body, task.requestHost());
  }

  Future<Reply> status(AgentTask task) {
    return taskCall("gateway status", task, HttpMethod.GET, "");
  }

  Future<Reply> result(AgentTask task) {
    return taskCall("gateway result", task, HttpMethod.GET, "/result");
  }

  /**
   * Tells the gateway the task is done with; 204 and 404 (already released or expired) both mean
   * released.
   */
  Future<Reply> release(AgentTask task) {
    return taskCall("gateway release", task, HttpMethod.DELETE, "");
  }

  /** A call to the gateway's resource of {@code task} ({@code /_tasks/{id}} + {@code suffix}). */
  private Future<Reply> taskCall(String name, AgentTask task, HttpMethod method, String suffix) {
    return send(
        name, task, options(method, "/_tasks/" + task.gatewayTaskId() + suffix), null, null);
  }

  private RequestOptions options(HttpMethod method, String uri) {
    return new RequestOptions()
        .setMethod(method)
        .setAbsoluteURI(gatewayUrl + uri)
        .addHeader(CrossgateHeaders.API_KEY, apiKey)
        .setIdleTimeout(TIMEOUT_MS);
  }

  /**
   * Sends a call about {@code task}, under {@code host} instead of the gateway's own if not null.
   */
  private Future<Reply> send(
      String name, AgentTask task, RequestOptions options, Buffer body, String host) {
    var span = tracing.start(name, SpanKind.CLIENT, task.traceparent());
    span.setAttribute("crossgate.task.id", task.taskId());
    Tracing.inject(span, options.getHeaders());
    return client
        .request(options)
        .compose(
            req -> {
              if (host != null) {
                // a host-restricted route is reached only under its host
                req.authority(HostAndPort.create(host, req.authority().port()));
              }
              return body == null ? req.send() : req.send(body);
            })
        .compose(GatewayCalls::read)
        .andThen(Tracing.ends(span, Reply::status));
  }

  private static Future<Reply> read(HttpClientResponse resp) {
    return resp.body()
        .map(
            b ->
                new Reply(
                    resp.statusCode(),
                    resp.getHeader(HttpHeaders.CONTENT_TYPE),
                    b,
                    resp.headers()));
  }
}
