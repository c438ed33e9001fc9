package dev.crossgate.agent.declaration;

import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import dev.crossgate.route.RouteMatcher;
import dev.crossgate.task.InterfaceDeclaration;
import dev.crossgate.task.InterfaceList;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's interface declarations ({@code GET /_interfaces}, read as the {@link InterfaceList}
 * the gateway writes), fetched with the agent's key and refreshed on a timer; the current list is
 * one immutable snapshot swapped whole. A failed refresh keeps the last good list (the agent keeps
 * classifying while the gateway is briefly away).
 */
public final class Declarations {
  private static final Logger LOG = LoggerFactory.getLogger(Declarations.class);

  /** A classified caller path: the declaration and the rest of the path below its source path. */
  public record Match(InterfaceDeclaration declaration, String remainder) {}

  private final HttpClient client;
  private final String gatewayUrl;
  private final String apiKey;

  /** The declarations, longest source path first, and the markers: one snapshot, swapped whole. */
  private volatile InterfaceList current = new InterfaceList(null, null, List.of());

  public Declarations(HttpClient client, String gatewayUrl, String apiKey) {
    this.client = client;
    this.gatewayUrl = gatewayUrl;
    this.apiKey = apiKey;
  }

  public Future<Void> refresh() {
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(gatewayUrl + "/_interfaces")
                .addHeader(CrossgateHeaders.API_KEY, apiKey))
        .compose(req -> req.send())
        .compose(
            resp ->
                resp.body()
                    .compose(
                        body ->
                            resp.statusCode() == 200
                                ? Future.succeededFuture(body)
                                : Future.failedFuture(
                                    "the gateway answered "
                                        + resp.statusCode()
                                        + " to /_interfaces")))
        .map(
            body -> {
              apply(Json.read(body.toString(), InterfaceList.class));
              return (Void) null;
            })
        .onFailure(
            e ->
                LOG.warn(
                    "interface declarations not refreshed gateway={} cause={}",
                    gatewayUrl,
                    e.toString()));
  }

  private void apply(InterfaceList declared) {
    var list = new ArrayList<>(declared.interfaces());
    // longest source path first: the most specific declaration wins
    list.sort(
        Comparator.comparingInt((InterfaceDeclaration d) -> d.sourcePath().length()).reversed());
    current = new InterfaceList(declared.revision(), declared.markers(), list);
  }

  public List<InterfaceDeclaration> all() {
    return current.interfaces();
  }

  /**
   * The declaration a caller's request belongs to (the path may carry a mode marker, which is
   * stripped), or null when none does. Hosts are matched as the gateway matches them (exact, then
   * {@code *.parent} wildcards, then declarations for any host): a declaration restricted to one
   * host never serves another.
   *
   * @param host the caller's Host (a port is ignored), or null
   */
  public Match classify(String host, String path) {
    var snapshot = current;
    var bare = strip(strip(path, snapshot.markers().sync()), snapshot.markers().async());
    for (var hostKey : RouteMatcher.hostKeys(host)) {
      for (var d : snapshot.interfaces()) {
        if (!d.hostKey().equals(hostKey)) {
          continue;
        }
        var source = d.sourcePath();
        if (source.equals("/")) {
          return new Match(d, bare);
        }
        if (bare.equals(source)) {
          return new Match(d, "");
        }
        if (bare.startsWith(source) && bare.charAt(source.length()) == '/') {
          return new Match(d, bare.substring(source.length()));
        }
      }
    }
    return null;
  }

  private static String strip(String path, String marker) {
    if (path.equals(marker)) {
      return "/";
    }
    return path.startsWith(marker + "/") ? path.substring(marker.length()) : path;
  }
}
