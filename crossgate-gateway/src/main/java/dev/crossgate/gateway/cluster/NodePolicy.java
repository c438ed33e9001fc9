package dev.crossgate.gateway.cluster;

import dev.crossgate.cluster.ClusterMessage.ApplyError;
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
 * node in a zone that must only speak TLS. A refused change is NACKed with these errors and the
 * node keeps serving its previous configuration.
 */
@FunctionalInterface
public interface NodePolicy {
  /**
   * Problems with {@code routes} (the routes a change adds or alters); empty when acceptable.
   * Routes to an upstream pool are checked through their pool ({@link #checkUpstreams}).
   */
  List<ApplyError> check(Collection<Route> routes);

  static NodePolicy acceptAll() {
    return routes -> List.of();
  }

  /** Problems with {@code upstreams} (the pools a change adds or alters); empty when acceptable. */
  default List<ApplyError> checkUpstreams(Collection<Upstream> upstreams) {
    return List.of();
  }

  static NodePolicy allowedUpstreamSchemes(Set<String> schemes) {
    var allowed = schemes.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    return new NodePolicy() {
      @Override
      public List<ApplyError> check(Collection<Route> routes) {
        var errors = new ArrayList<ApplyError>();
        for (var route : routes) {
          if (route.targetUrl() != null) {
            refuse(errors, "ROUTE", route.id(), route.targetUrl());
          }
        }
        return errors;
      }

      @Override
      public List<ApplyError> checkUpstreams(Collection<Upstream> upstreams) {
        var errors = new ArrayList<ApplyError>();
        for (var upstream : upstreams) {
          for (var target : upstream.targets()) {
            refuse(errors, "UPSTREAM", upstream.id(), target.url());
          }
        }
        return errors;
      }

      private void refuse(List<ApplyError> errors, String entity, String id, String url) {
        // a dns+srv target expands to plain-http targets: it is allowed where http is
        var scheme =
            Upstream.Target.srvName(url) != null
                ? "http"
                : URI.create(url).getScheme().toLowerCase(Locale.ROOT);
        if (!allowed.contains(scheme)) {
          errors.add(
              new ApplyError(
                  entity,
                  id,
                  "upstream scheme '"
                      + scheme
                      + "' is not allowed on this node (allowed: "
                      + String.join(", ", allowed)
                      + ")"));
        }
      }
    };
  }
}
