package dev.crossgate.gateway.cluster;

import dev.crossgate.cluster.ClusterMessage.Rejection;
import dev.crossgate.route.Route;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a node refuses to serve even when the control plane sends it, e.g. plain-http upstreams on a
 * node in a zone that must only speak TLS. Per resource: the node applies the revision, serves
 * everything else, does not serve the rejected routes, and reports them in its ACK.
 */
@FunctionalInterface
public interface NodePolicy {
  /** The routes of {@code routes} this node does not serve, with why; empty when all are fine. */
  List<Rejection> check(Collection<Route> routes);

  static NodePolicy acceptAll() {
    return routes -> List.of();
  }

  static NodePolicy allowedUpstreamSchemes(Set<String> schemes) {
    var allowed = schemes.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    return routes -> {
      var errors = new ArrayList<Rejection>();
      for (var route : routes) {
        var scheme = URI.create(route.targetUrl()).getScheme().toLowerCase(Locale.ROOT);
        if (!allowed.contains(scheme)) {
          errors.add(
              new Rejection(
                  "ROUTE",
                  route.id(),
                  "upstream scheme '"
                      + scheme
                      + "' is not allowed on this node (allowed: "
                      + String.join(", ", allowed)
                      + ")"));
        }
      }
      return errors;
    };
  }
}
