package dev.crossgate.gateway.cluster;

import dev.crossgate.cluster.ClusterMessage.Rejection;
import dev.crossgate.route.Route;
import dev.crossgate.upstream.Upstream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a node refuses to serve even when the control plane sends it, e.g. plain-http upstreams on a
 * node in a zone that must only speak TLS. Per resource: the node applies the revision, serves
 * everything else, does not serve the rejected routes (nor the routes to a rejected pool), and
 * reports them in its ACK.
 */
@FunctionalInterface
public interface NodePolicy {
  /**
   * The routes of {@code routes} this node does not serve, with why; empty when all are fine.
   * Routes to an upstream pool are judged through their pool ({@link #checkUpstreams}).
   */
  List<Rejection> check(Collection<Route> routes);

  /** The pools of {@code upstreams} this node does not use, with why; empty when all are fine. */
  default List<Rejection> checkUpstreams(Collection<Upstream> upstreams) {
    return List.of();
  }

  static NodePolicy acceptAll() {
    return routes -> List.of();
  }

  static NodePolicy allowedUpstreamSchemes(Set<String> schemes) {
    var allowed = schemes.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    return new NodePolicy() {
      @Override
      public List<Rejection> check(Collection<Route> routes) {
        var rejected = new ArrayList<Rejection>();
        for (var route : routes) {
          if (route.targetUrl() != null) {
            refuse(rejected, "ROUTE", route.id(), route.targetUrl());
          }
        }
        return rejected;
      }

      @Override
      public List<Rejection> checkUpstreams(Collection<Upstream> upstreams) {
        var rejected = new ArrayList<Rejection>();
        for (var upstream : upstreams) {
          for (var target : upstream.targets()) {
            if (refuse(rejected, "UPSTREAM", upstream.id(), target.url())) {
              break;
            }
          }
        }
        return rejected;
      }

      private boolean refuse(List<Rejection> rejected, String entity, String id, String url) {
        // a dns+srv target expands to plain-http targets: it is allowed where http is
        var scheme =
            Upstream.Target.srvName(url) != null
                ? "http"
                : URI.create(url).getScheme().toLowerCase(Locale.ROOT);
        if (allowed.contains(scheme)) {
          return false;
        }
        rejected.add(
            new Rejection(
                entity,
                id,
                "upstream scheme '"
                    + scheme
                    + "' is not allowed on this node (allowed: "
                    + String.join(", ", allowed)
                    + ")"));
        return true;
      }
    };
  }
}
