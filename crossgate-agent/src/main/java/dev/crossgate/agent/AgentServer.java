package dev.crossgate.agent;

import dev.crossgate.agent.callback.CallbackPolicy;
import dev.crossgate.agent.declaration.Declarations;
import dev.crossgate.agent.task.AgentTask;
import dev.crossgate.agent.task.AgentTasks;
import dev.crossgate.agent.task.Supervisor;
import dev.crossgate.egress.EgressClient;
import dev.crossgate.http.BoundedBody;
import dev.crossgate.http.ContentLength;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.http.HopByHop;
import dev.crossgate.http.IdleGuardedStream;
import dev.crossgate.id.RequestIds;
import dev.crossgate.json.Json;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.problem.ProblemResponses;
import dev.crossgate.route.ParamCheck;
import dev.crossgate.route.Route;
import dev.crossgate.task.TaskEnvelope;
import dev.crossgate.trace.RequestTrace;
import dev.crossgate.trace.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's port, for callers in its network (DESIGN.md "The agent"):
 *
 * <ul>
 *   <li>any other path is an interface call: classified by the gateway's declarations (the path may
 *       carry a mode marker or not), params checked, then SYNC streamed through to the gateway and
 *       back, ASYNC stored locally and answered {@code 202}, {@code Location: /_agent/tasks/{id}};
 *   <li>{@code GET /_agent/tasks/{id}}, {@code GET /_agent/tasks/{id}/result}, {@code DELETE
 *       /_agent/tasks/{id}} — the caller polls and releases its tasks here;
 *   <li>{@code GET /_agent/interfaces} — the declarations the agent works from;
 *   <li>{@code GET /healthz} (the agent runs) and {@code GET /metrics} (Prometheus text): an
 *       interface declared at exactly these paths is not reachable through the agent.
 * </ul>
 *
 * Every error is {@code application/problem+json}. Event loop only; storage is on workers.
 */
final class AgentServer {
  private static final Logger LOG = LoggerFactory.getLogger(AgentServer.class);
  static final String CALLBACK_URL = "X-Callback-Url";
  private static final String TASKS = "/_agent/tasks/";

  private final Vertx vertx;
  private final HttpClient gateway;
  // the gateway URL taken apart once, not parsed again for every query
  private final URI gatewayAddress;
  private final int gatewayPort;
  private final boolean gatewaySsl;
  private final Declarations declarations;
  private final AgentTasks tasks;
  private final Supervisor supervisor;
  private final CallbackPolicy callbacks;
  private final EgressClient egress;
  private final AgentOptions options;
  private final java.util.function.Supplier<String> metrics;
  private final Tracing tracing;

  AgentServer(
      Vertx vertx,
      HttpClient gateway,
      Declarations declarations,
      AgentTasks tasks,
      Supervisor supervisor,
      EgressClient egress,
      AgentOptions options,
      java.util.function.Supplier<String> metrics,
      Tracing tracing) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.gatewayAddress = URI.create(options.gatewayUrl());
    this.gatewaySsl = "https".equalsIgnoreCase(gatewayAddress.getScheme());
    this.gatewayPort =
        gatewayAddress.getPort() > 0 ? gatewayAddress.getPort() : gatewaySsl ? 443 : 80;
    this.declarations = declarations;
    this.tasks = tasks;
    this.supervisor = supervisor;
    this.callbacks = new CallbackPolicy(options.callbackAllow());
    this.egress = egress;
    this.options = options;
    this.metrics = metrics;
    this.tracing = tracing;
  }

  void handle(HttpServerRequest request) {
    request.pause();
    // one id from the caller through the agent to the gateway and back, in every problem
    var requestId = RequestIds.accept(request.getHeader(CrossgateHeaders.REQUEST_ID));
    request.headers().set(CrossgateHeaders.REQUEST_ID, requestId);
    request.response().putHeader(CrossgateHeaders.REQUEST_ID, requestId);
    var trace = tracing.start(request);
    if (trace != null) {
      var response = request.response();
      response.endHandler(v -> trace.end(response.getStatusCode(), null));
      // a caller that hangs up first ends its span too
      response.closeHandler(v -> trace.end(response.getStatusCode(), null));
    }
    Future<Void> handled;
    try {
      handled = route(request, trace);
    } catch (ProblemException e) {
      handled = Future.failedFuture(e);
    }
    handled.onFailure(e -> fail(request, e));
  }

  /** Answers a caller's request; {@code trace} is its spans, null when tracing is off. */
  private Future<Void> route(HttpServerRequest request, RequestTrace trace) {
    var path = request.path();
    if (request.method() == io.vertx.core.http.HttpMethod.GET) {
      if (path.equals("/healthz")) {
        return json(request.response(), 200, Map.of("status", "up"));
      }
      if (path.equals("/metrics")) {
        return request
            .response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
            .end(metrics.get());
      }
    }
    if (path.equals("/_agent/interfaces")) {
      return json(request.response(), 200, Map.of("interfaces", declarations.all()));
    }
    if (path.startsWith(TASKS)) {
      return taskResource(request, path.substring(TASKS.length()));
    }
    var host = request.authority() == null ? null : request.authority().host();
    var match = declarations.classify(host, path);
    if (match == null) {
      throw new ProblemException(
          Problem.notFound(
              "no interface is declared at "
                  + path
                  + (host == null ? "" : " for host " + host)
                  + " (the gateway's declarations: GET /_agent/interfaces)"));
    }
    var errors = ParamCheck.check(match.declaration().params(), request::getParam);
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
    var gatewayPath = match.declaration().requestPath() + match.remainder();
    var gatewayUri = request.query() == null ? gatewayPath : gatewayPath + "?" + request.query();
    // a host-restricted route is reached at the gateway only under its host
    var gatewayHost =
        match.declaration().sourceHost() == null ? null : host.toLowerCase(java.util.Locale.ROOT);
    return match.declaration().mode() == Route.Mode.ASYNC
        ? async(request, gatewayPath, gatewayUri, gatewayHost, trace)
        : sync(request, gatewayUri, gatewayHost, trace);
  }

  /**
   * A query: streamed to the gateway with the agent's key, the gateway's answer streamed back.
   *
   * @param gatewayHost the Host to present to the gateway (the caller's, for a host-restricted
   *     interface), or null for the gateway's own
   */
  private Future<Void> sync(
      HttpServerRequest request, String gatewayUri, String gatewayHost, RequestTrace trace) {
    var options =
        new RequestOptions()
            .setMethod(request.method())
            .setHost(gatewayAddress.getHost())
            .setPort(gatewayPort)
            .setSsl(gatewaySsl)
            .setURI(gatewayAddress.getRawPath() + gatewayUri)
            .setIdleTimeout(this.options.gatewayTimeout().toMillis());
    copyHeaders(
        request.headers(),
        options.getHeaders() == null ? setHeaders(options) : options.getHeaders());
    options.putHeader(CrossgateHeaders.API_KEY, this.options.apiKey());
    // tracing off: the caller's traceparent went along like any end-to-end header
    var span = RequestTrace.span(trace, "gateway", SpanKind.CLIENT);
    Tracing.inject(span, options.getHeaders());
    return gateway
        .request(options)
        .compose(
            req -> {
              if (gatewayHost != null) {
                req.authority(HostAndPort.create(gatewayHost, req.authority().port()));
              }
              if (!request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
                req.setChunked(request.headers().contains(HttpHeaders.TRANSFER_ENCODING));
              }
              return req.send(request);
            })
        .compose(
            resp -> {
              Tracing.end(span, resp.statusCode());
              var response = request.response().setStatusCode(resp.statusCode());
              // after the head, silence between body pieces counts (the request's own idle
              // timeout covers only the wait for the head)
              var body =
                  new IdleGuardedStream(
                      resp, vertx, this.options.gatewayTimeout().toMillis(), resp.request()::reset);
              if (ContentLength.small(request.method(), resp)) {
                // read whole and written with the head in one message; the headers go in only
                // once it arrived, so a failed read answers a clean problem
                return body.body()
                    .compose(
                        whole -> {
                          copyHeaders(resp.headers(), response.headers());
                          return response.end(whole);
                        });
              }
              copyHeaders(resp.headers(), response.headers());
              // a caller gone mid-answer: let go of the gateway's answer, or its connection stays
              // taken with the rest of the body unread (a closed response does not fail the pipe);
              // this replaces handle()'s close handler, so it ends the trace too
              response.closeHandler(
                  v -> {
                    resp.request().reset();
                    if (trace != null) {
                      trace.end(response.getStatusCode(), null);
                    }
                  });
              if (!response.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
                response.setChunked(true);
              }
              // not send(): its pipe ends the caller's answer when the gateway's fails, and a
              // chunked answer cut short must not end like a whole one (fail() resets it instead)
              return body.pipe()
                  .endOnFailure(false)
                  .to(response)
                  .onFailure(e -> resp.request().reset());
            })
        .onFailure(e -> Tracing.fail(span, e))
        .recover(e -> Future.failedFuture(gatewayFailed(e)));
  }

  private Throwable gatewayFailed(Throwable e) {
    if (e instanceof ProblemException) {
      return e;
    }
    return new ProblemException(
        e instanceof TimeoutException
            ? Problem.gatewayTimeout(
                "the gateway sent nothing for " + options.gatewayTimeout().toMillis() + " ms")
            : Problem.badGateway("the gateway could not be reached"));
  }

  /** An analysis: stored here first, then the caller gets its 202; the supervisor takes it on. */
  private Future<Void> async(
      HttpServerRequest request,
      String gatewayPath,
      String gatewayUri,
      String gatewayHost,
      RequestTrace trace) {
    var callbackUrl = request.getHeader(CALLBACK_URL);
    Future<Void> admitted = Future.succeededFuture();
    if (callbackUrl != null) {
      var refused = callbacks.check(callbackUrl);
      if (refused != null) {
        throw new ProblemException(refused);
      }
      // on the prefix list and also an address the egress policy allows (checked again on every
      // delivery)
      admitted =
          egress
              .admit(callbackUrl)
              .<Void>mapEmpty()
              .recover(
                  e ->
                      Future.failedFuture(
                          new ProblemException(Problem.egressRefused(CALLBACK_URL))));
    }
    var params = new LinkedHashMap<String, String>();
    for (var name : request.params().names()) {
      params.put(name, request.params().get(name));
    }
    // the task's later calls (to the gateway, to the callback) are children of this span
    var accepted = RequestTrace.span(trace, "task accepted", SpanKind.INTERNAL);
    return admitted
        .compose(v -> BoundedBody.read(request, options.maxBodyBytes()))
        .compose(
            body ->
                tasks.create(
                    request.method().name(),
                    gatewayUri,
                    gatewayHost,
                    request.getHeader(HttpHeaders.CONTENT_TYPE),
                    callbackUrl,
                    body,
                    id ->
                        TaskEnvelope.pending(id, gatewayPath, params)
                            .withTraceparent(Tracing.traceparent(accepted))
                            .json()))
        .andThen(Tracing.ends(accepted, task -> 202))
        .compose(
            task -> {
              supervisor.kick();
              LOG.info(
                  "task accepted taskId={} path={} callback={}",
                  task.taskId(),
                  gatewayPath,
                  callbackUrl != null);
              request
                  .response()
                  .putHeader(HttpHeaders.LOCATION, TASKS + task.taskId())
                  .putHeader(HttpHeaders.RETRY_AFTER, "1");
              return json(request.response(), 202, view(task));
            });
  }

  private Future<Void> taskResource(HttpServerRequest request, String rest) {
    var parts = rest.split("/", -1);
    var id = parts[0];
    boolean result = parts.length == 2 && parts[1].equals("result");
    if (parts.length > 2 || (parts.length == 2 && !result)) {
      throw new ProblemException(Problem.notFound("no task resource at " + request.path()));
    }
    var method = request.method().name();
    return tasks
        .find(id)
        .compose(
            found -> {
              if (found.isEmpty()) {
                return Future.failedFuture(
                    new ProblemException(
                        Problem.notFound("there is no task " + id + " at this agent")));
              }
              var task = found.get();
              if (method.equals("GET") && !result) {
                return json(request.response(), 200, view(task));
              }
              if (method.equals("GET")) {
                if (task.resultStatus() == null) {
                  request.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
                  return Future.failedFuture(
                      new ProblemException(
                          Problem.of(
                              "task-unfinished",
                              "Task not finished",
                              409,
                              "task "
                                  + id
                                  + " is "
                                  + task.callerStatus()
                                  + " and has no result yet")));
                }
                return tasks
                    .result(id)
                    .compose(
                        body -> {
                          var response = request.response().setStatusCode(task.resultStatus());
                          if (task.resultType() != null) {
                            response.putHeader(HttpHeaders.CONTENT_TYPE, task.resultType());
                          }
                          return response.end(body);
                        });
              }
              if (method.equals("DELETE") && !result) {
                return tasks.delete(id).compose(v -> request.response().setStatusCode(204).end());
              }
              return Future.failedFuture(
                  new ProblemException(Problem.methodNotAllowed(method + " is not allowed here")));
            });
  }

  private static Map<String, Object> view(AgentTask task) {
    var view = new LinkedHashMap<String, Object>();
    view.put("taskId", task.taskId());
    view.put("status", task.callerStatus());
    view.put("envelope", Json.read(task.envelope(), Map.class));
    if (task.callbackUrl() != null) {
      var delivery = new LinkedHashMap<String, Object>();
      delivery.put("callbackUrl", task.callbackUrl());
      delivery.put("webhookId", task.webhookId());
      delivery.put("attempts", task.deliveries());
      delivery.put(
          "state",
          switch (task.state()) {
            case UNDELIVERED -> "FAILED";
            case DELIVERED -> "DELIVERED";
            default -> "PENDING";
          });
      view.put("delivery", delivery);
    }
    if (task.resultStatus() != null) {
      view.put(
          "result",
          Map.of("status", task.resultStatus(), "href", TASKS + task.taskId() + "/result"));
    }
    if (task.lastError() != null) {
      view.put("lastError", task.lastError());
    }
    view.put("createdAt", task.createdAt().toString());
    view.put("updatedAt", task.updatedAt().toString());
    return view;
  }

  private static MultiMap setHeaders(RequestOptions options) {
    options.setHeaders(MultiMap.caseInsensitiveMultiMap());
    return options.getHeaders();
  }

  /**
   * Passes a message's end-to-end fields on (RFC 9110 section 7.6.1, {@link HopByHop}); the
   * caller's {@code Host} and any API key stay here: the agent presents its own.
   */
  private static void copyHeaders(MultiMap from, MultiMap to) {
    HopByHop.copyEndToEnd(
        from,
        to,
        name -> name.equalsIgnoreCase("host") || name.equalsIgnoreCase(CrossgateHeaders.API_KEY));
  }

  private static Future<Void> json(HttpServerResponse response, int status, Object body) {
    return response
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(Buffer.buffer(Json.writeBytes(body)));
  }

  /** The agent's one problem renderer: RFC 9457, internal causes logged only. */
  static void fail(HttpServerRequest request, Throwable e) {
    var response = request.response();
    if (response.closed() || response.headWritten()) {
      // the caller hung up, or its answer was under way: nothing more can be said to it, and a
      // cut-off answer must not look complete
      LOG.debug(
          "agent request ended early path={} requestId={} cause={}",
          request.path(),
          request.getHeader(CrossgateHeaders.REQUEST_ID),
          e.toString());
      if (!response.closed()) {
        response.reset();
      }
      return;
    }
    Problem problem;
    if (e instanceof ProblemException pe) {
      problem = pe.problem();
    } else {
      LOG.error(
          "agent request failed path={} requestId={}",
          request.path(),
          request.getHeader(CrossgateHeaders.REQUEST_ID),
          e);
      problem =
          Problem.of("internal", "Internal error", 500, "the agent failed to handle the request");
    }
    ProblemResponses.send(
        request.response(),
        problem,
        RequestIds.accept(request.getHeader(CrossgateHeaders.REQUEST_ID)));
  }
}
