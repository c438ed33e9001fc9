package dev.crossgate.route;

import java.util.List;

/**
 * The routes registered at one exact (host key, source path). {@link RouteMatcher} asks only this
 * question, a bounded number of times per request, so a source backed by a hash map (the gateway's
 * {@link RouteTable}) or by a cache in front of the database (the control plane's resolve) matches
 * with the same rules at a cost independent of the number of routes.
 */
@FunctionalInterface
public interface RouteSource {
  /**
   * Enabled routes at exactly this host key ("" = any host) and normalised source path; never null.
   */
  List<Route> routesAt(String hostKey, String sourcePath);
}
