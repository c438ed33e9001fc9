package dev.crossgate.admin.http;

import io.vertx.ext.web.Router;

/**
 * A family of Admin API resources (routes, filters, tenants …) that mounts itself on the admin
 * router.
 */
public interface AdminEndpoint {
  void mount(Router router);
}
