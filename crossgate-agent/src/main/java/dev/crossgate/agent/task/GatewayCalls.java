package dev.crossgate.agent.task;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.json.Json;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/** The agent's calls to the gateway's task API, with its API key. Event loop. */
final class GatewayCalls {
  static final String ENVELOPE = "X-Crossgate-Envelope";
  private static final long TIMEOUT_MS = 30_000;

  /** A whole response from the gateway. */
  record Reply(int status, String contentType, Buffer body, MultiMap headers) {
    JsonNode json() {
      return Json.read(body.toString(), JsonNode.class);
    }
  }

  private final HttpClient client;
  private final String gatewayUrl;
  private final String apiKey;

  GatewayCalls(HttpClient client, String gatewayUrl, String apiKey) {
    this.client = client;
    this.gatewayUrl = gatewayUrl;
    this.apiKey = apiKey;
  }

  Future<Reply> submit(AgentTask task, Buffer body) {
    var options = options(HttpMethod.valueOf(task.requestMethod()), task.requestUri())
        .addHeader(ENVELOPE, task.envelope());
    if (task.requestType() != null) {
      options.addHeader(HttpHeaders.CONTENT_TYPE, task.requestType());
    }
    return send(options, body);
  }

  Future<Reply> status(String gatewayTaskId) {
    return send(options(HttpMethod.GET, "/_tasks/" + gatewayTaskId), null);
  }

  Future<Reply> result(String gatewayTaskId) {
    return send(options(HttpMethod.GET, "/_tasks/" + gatewayTaskId + "/result"), null);
  }

  /** Tells the gateway the task is done with; 204 and 404 (already released or expired) both count. */
  Future<Void> release(String gatewayTaskId) {
    return send(options(HttpMethod.DELETE, "/_tasks/" + gatewayTaskId), null).compose(r ->
        r.status() == 204 || r.status() == 404 ? Future.succeededFuture()
            : Future.failedFuture("the gateway answered " + r.status() + " to the release"));
  }

  private RequestOptions options(HttpMethod method, String uri) {
    return new RequestOptions().setMethod(method).setAbsoluteURI(gatewayUrl + uri).addHeader("X-Api-Key", apiKey)
        .setIdleTimeout(TIMEOUT_MS);
  }

  private Future<Reply> send(RequestOptions options, Buffer body) {
    return client.request(options)
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(GatewayCalls::read);
  }

  private static Future<Reply> read(HttpClientResponse resp) {
    return resp.body().map(b -> new Reply(resp.statusCode(), resp.getHeader(HttpHeaders.CONTENT_TYPE), b,
        resp.headers()));
  }
}
