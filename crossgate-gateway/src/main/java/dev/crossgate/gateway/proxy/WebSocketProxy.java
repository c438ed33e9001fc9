package dev.crossgate.gateway.proxy;

import dev.crossgate.gateway.chain.Exchange;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebSocket proxying (RFC 6455) for routes with {@code websocket: true}. The upstream handshake is
 * done first, so a refused or failing upstream is still answered with a problem; only then is the
 * client's connection upgraded and frames are relayed both ways, pausing the reading side while the
 * writing side's queue is full. A close on either side closes the other with the same code.
 */
final class WebSocketProxy {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketProxy.class);

  private final WebSocketClient client;
  private final UpstreamTlsSettings tls;

  WebSocketProxy(WebSocketClient client, UpstreamTlsSettings tls) {
    this.client = client;
    this.tls = tls;
  }

  Future<Void> proxy(
      Exchange exchange,
      UpstreamTarget target,
      String uri,
      MultiMap headers,
      long connectTimeoutMs) {
    // the handshake fields belong to each connection: the upstream gets its own key
    for (var name :
        new String[] {
          "Sec-WebSocket-Key",
          "Sec-WebSocket-Version",
          "Sec-WebSocket-Extensions",
          "Sec-WebSocket-Accept",
          "Content-Length"
        }) {
      headers.remove(name);
    }
    var options =
        new WebSocketConnectOptions()
            .setHost(target.host())
            .setPort(target.port())
            .setSsl(target.ssl())
            .setURI(uri)
            .setHeaders(headers)
            .setTimeout(connectTimeoutMs);
    tls.apply(options, target, exchange.route().tls());
    return client
        .connect(options)
        .transform(
            ar -> {
              if (ar.failed()) {
                LOG.info(
                    "websocket upstream failed requestId={} upstream={} cause={}",
                    exchange.requestId(),
                    exchange.upstream(),
                    ar.cause().toString());
                var detail =
                    ar.cause() instanceof UpgradeRejectedException rejected
                        ? "the upstream "
                            + exchange.upstream()
                            + " refused the WebSocket upgrade with status "
                            + rejected.getStatus()
                        : "could not open a WebSocket to the upstream " + exchange.upstream();
                return Future.failedFuture(new ProblemException(Problem.badGateway(detail)));
              }
              var upstream = ar.result();
              exchange.takeOver();
              return exchange
                  .request()
                  .toWebSocket()
                  .transform(
                      accepted -> {
                        if (accepted.failed()) {
                          upstream.close();
                          return Future.failedFuture(accepted.cause());
                        }
                        var downstream = accepted.result();
                        relay(downstream, upstream);
                        relay(upstream, downstream);
                        downstream.closeHandler(
                            v -> {
                              closeWithStatusOf(downstream, upstream);
                              exchange.completeTakenOver(101, false);
                            });
                        upstream.closeHandler(v -> closeWithStatusOf(upstream, downstream));
                        return Future.succeededFuture();
                      });
            });
  }

  private static void relay(WebSocketBase from, WebSocketBase to) {
    from.frameHandler(
        frame -> {
          if (frame.isClose()
              || frame.isPing()
              || frame.type() == io.vertx.core.http.WebSocketFrameType.PONG) {
            return; // control frames belong to each connection; closes are relayed by closeHandler
          }
          to.writeFrame(frame);
          if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
          }
        });
    from.exceptionHandler(t -> to.close());
  }

  private static void closeWithStatusOf(WebSocketBase closed, WebSocketBase other) {
    if (other.isClosed()) {
      return;
    }
    Short code = closed.closeStatusCode();
    // 1005, 1006 and 1015 are reported locally and must never be sent (RFC 6455 section 7.4.1)
    short status = code == null || code == 1005 || code == 1006 || code == 1015 ? 1000 : code;
    other.close(status, closed.closeReason());
  }
}
