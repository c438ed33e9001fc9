package dev.crossgate.extension;

import java.util.Set;

/**
 * The points of a route's flow where extensions plug in. {@code request}: before the proxy step,
 * sees the request and may change its headers, query and JSON body, or answer it. {@code response}:
 * after the proxy step, sees the request and the response and may change the response. A flow that
 * places an extension at the other point is answered 500 (a configuration error, not the caller's).
 */
public final class ExtensionPoints {
  public static final String REQUEST = "request";
  public static final String RESPONSE = "response";
  public static final Set<String> ALLOWED = Set.of(REQUEST, RESPONSE);

  private ExtensionPoints() {}
}
