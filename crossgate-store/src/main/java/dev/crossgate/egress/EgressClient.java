package dev.crossgate.egress;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outbound HTTP to a URL a tenant or a caller chose, under the {@link EgressPolicy}: the host is
 * resolved here (Vert.x's resolver: the hosts file, then DNS with the instance's cache limits),
 * every address it resolves to is checked, and the request is sent to the first checked address
 * ({@link RequestOptions#setServer}) while the Host header and TLS SNI stay the URL's name — so
 * there is no second lookup an attacker's DNS could answer differently (DNS rebinding). An IP
 * literal, in whatever spelling, is checked as that address and never resolved. Redirects are never
 * followed. Runs on the caller's event loop; never blocks.
 *
 * <p>Lives in crossgate-store because it is the one module with I/O that the gateway, the control
 * plane and the agent all depend on; the decision itself is core's {@link EgressPolicy}.
 */
public final class EgressClient {
  private static final Logger LOG = LoggerFactory.getLogger(EgressClient.class);

  /** A URL whose address passed the policy: connect to {@code address}, name {@code url.host()}. */
  public record Destination(EgressUrl url, InetAddress address) {}

  private final VertxInternal vertx;
  private final HttpClient client;
  private final Set<InetAddress> interfaceAddresses;
  private volatile EgressPolicy policy;

  private EgressClient(Vertx vertx, HttpClient client, EgressPolicy policy) {
    this.vertx = (VertxInternal) vertx;
    this.client = client;
    this.policy = policy;
    this.interfaceAddresses = interfaceAddresses();
  }

  /**
   * @param client the client requests go out on (its pool and timeouts are the caller's; it is not
   *     closed here). Enumerates this host's interface addresses once: call at wiring time.
   */
  public static EgressClient create(Vertx vertx, HttpClient client, EgressPolicy policy) {
    return new EgressClient(vertx, client, policy);
  }

  public EgressPolicy policy() {
    return policy;
  }

  /** Adds a port this process listens on, learnt once a listener bound (an ephemeral one, say). */
  public void ownPort(int port) {
    policy = policy.withOwnPort(port);
  }

  /**
   * Resolves {@code url}'s host and checks every address. Fails with {@link EgressRefusedException}
   * when one is refused, {@link IllegalArgumentException} when {@code url} is not an http(s) URL,
   * or the resolver's failure.
   */
  public Future<Destination> admit(String url) {
    EgressUrl parsed;
    try {
      parsed = EgressUrl.parse(url);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    var current = policy;
    if (parsed.literal() != null) {
      return decide(current, parsed, List.of(parsed.literal()));
    }
    return vertx
        .nameResolver()
        .resolveAll(parsed.host())
        .compose(
            resolved -> {
              var addresses = new ArrayList<InetAddress>();
              for (InetSocketAddress a : resolved) {
                addresses.add(a.getAddress());
              }
              return decide(current, parsed, addresses);
            });
  }

  private Future<Destination> decide(
      EgressPolicy current, EgressUrl url, List<InetAddress> addresses) {
    if (addresses.isEmpty()) {
      return Future.failedFuture(new java.net.UnknownHostException(url.host()));
    }
    for (var address : addresses) {
      var verdict = current.check(url.host(), address, url.port(), thisHost(address));
      if (!verdict.allowed()) {
        LOG.warn(
            "event=egress-refused host={} port={} reason=\"{}\"",
            url.host(),
            url.port(),
            verdict.reason());
        return Future.failedFuture(new EgressRefusedException(url.host(), verdict.reason()));
      }
    }
    return Future.succeededFuture(new Destination(url, addresses.get(0)));
  }

  /**
   * Opens a request to {@code url} through the policy. {@code options} carries the method, headers
   * and timeouts; host, port, TLS, URI and server are set here, redirects off.
   */
  public Future<HttpClientRequest> request(RequestOptions options, String url) {
    return admit(url).compose(destination -> client.request(to(options, destination)));
  }

  /** {@code options} aimed at a checked destination. */
  public static RequestOptions to(RequestOptions options, Destination destination) {
    var url = destination.url();
    return options
        .setHost(url.host())
        .setPort(url.port())
        .setSsl(url.tls())
        .setURI(url.requestUri())
        .setServer(
            SocketAddress.inetSocketAddress(
                new InetSocketAddress(destination.address(), url.port())))
        .setFollowRedirects(false);
  }

  /**
   * GETs {@code url} through the policy and reads at most {@code maxBytes} of a 200 answer.
   * Anything else — another status (a redirect included), a larger body, no answer within {@code
   * timeoutMs} — fails with a {@link FetchFailedException} whose message is for the log.
   */
  public Future<Buffer> fetch(String url, int maxBytes, long timeoutMs) {
    return fetchAnswer(url, maxBytes, timeoutMs).map(Fetched::body);
  }

  /** A whole 200 answer: its body and its headers (e.g. {@code Cache-Control}). */
  public record Fetched(Buffer body, MultiMap headers) {}

  /** As {@link #fetch}, with the answer's headers. */
  public Future<Fetched> fetchAnswer(String url, int maxBytes, long timeoutMs) {
    // callers on worker threads (the control plane's registry writes) would attach the response
    // handlers after a small answer had already ended; on an event loop they are attached before
    // the loop can read it
    if (Context.isOnEventLoopThread()) {
      return fetchOnEventLoop(url, maxBytes, timeoutMs);
    }
    var fetched = Promise.<Fetched>promise();
    vertx
        .createEventLoopContext()
        .runOnContext(v -> fetchOnEventLoop(url, maxBytes, timeoutMs).onComplete(fetched));
    return fetched.future();
  }

  private Future<Fetched> fetchOnEventLoop(String url, int maxBytes, long timeoutMs) {
    var options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setConnectTimeout(timeoutMs)
            .setIdleTimeout(timeoutMs);
    return request(options, url)
        .compose(
            request ->
                request
                    .send()
                    .compose(
                        response -> {
                          if (response.statusCode() != 200) {
                            response.request().reset();
                            return Future.failedFuture(
                                new FetchFailedException("answered " + response.statusCode()));
                          }
                          var body = Buffer.buffer();
                          var done = Promise.<Fetched>promise();
                          response.handler(
                              data -> {
                                if (body.length() + data.length() > maxBytes) {
                                  done.tryFail(
                                      new FetchFailedException(
                                          "the answer exceeds " + maxBytes + " bytes"));
                                  response.request().reset();
                                  return;
                                }
                                body.appendBuffer(data);
                              });
                          response.exceptionHandler(done::tryFail);
                          response.endHandler(
                              v -> done.tryComplete(new Fetched(body, response.headers())));
                          return done.future();
                        }));
  }

  /** A fetch that did not return a whole 200 answer; the message is for the operator's log. */
  public static final class FetchFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FetchFailedException(String message) {
      super(message, null, false, false);
    }
  }

  private boolean thisHost(InetAddress address) {
    return address.isLoopbackAddress()
        || address.isAnyLocalAddress()
        || interfaceAddresses.contains(address);
  }

  private static Set<InetAddress> interfaceAddresses() {
    var out = new HashSet<InetAddress>();
    try {
      var interfaces = NetworkInterface.getNetworkInterfaces();
      while (interfaces != null && interfaces.hasMoreElements()) {
        interfaces.nextElement().getInetAddresses().asIterator().forEachRemaining(out::add);
      }
    } catch (SocketException e) {
      LOG.warn("event=egress-interfaces-unknown cause={}", e.toString());
    }
    return Set.copyOf(out);
  }
}
