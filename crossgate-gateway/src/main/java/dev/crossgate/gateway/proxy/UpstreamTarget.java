package dev.crossgate.gateway.proxy;

import java.net.URI;

/** A route's target URL, parsed once: where to connect and the path prefix to send. */
public record UpstreamTarget(
    boolean ssl, String host, int port, String basePath, String authority) {
  public static UpstreamTarget parse(String targetUrl) {
    var uri = URI.create(targetUrl);
    boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : (ssl ? 443 : 80);
    var host = uri.getHost();
    var path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    var authority = uri.getPort() > 0 ? host + ":" + port : host;
    return new UpstreamTarget(
        ssl,
        host.startsWith("[") ? host.substring(1, host.length() - 1) : host,
        port,
        path,
        authority);
  }

  /** The request target sent upstream: base path + remainder, the caller's query kept. */
  public String uri(String remainder, String query) {
    var path = basePath + remainder;
    if (path.isEmpty()) {
      path = "/";
    }
    return query == null ? path : path + "?" + query;
  }
}
