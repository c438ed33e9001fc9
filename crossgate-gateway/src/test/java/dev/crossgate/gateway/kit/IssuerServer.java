package dev.crossgate.gateway.kit;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.crossgate.json.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token issuer on 127.0.0.1 (ephemeral port): its key set at {@code /jwks} with a chosen {@code
 * Cache-Control}, and its OpenID configuration at {@code /.well-known/openid-configuration}. Counts
 * the key set fetches it answered.
 */
public final class IssuerServer implements AutoCloseable {
  private final HttpServer server;
  private final AtomicInteger keyFetches = new AtomicInteger();
  private final AtomicInteger discoveries = new AtomicInteger();
  private volatile List<JWK> keys = List.of();
  private volatile String cacheControl = "max-age=300";

  private IssuerServer(Vertx vertx) {
    server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(
                request -> {
                  var response = request.response().putHeader("content-type", "application/json");
                  switch (request.path()) {
                    case "/jwks" -> {
                      keyFetches.incrementAndGet();
                      response
                          .putHeader("cache-control", cacheControl)
                          .end(Json.write(new JWKSet(keys).toJSONObject(true)));
                    }
                    case "/.well-known/openid-configuration" -> {
                      discoveries.incrementAndGet();
                      response.end(
                          Json.write(Map.of("issuer", url(), "jwks_uri", url() + "/jwks")));
                    }
                    default -> response.setStatusCode(404).end();
                  }
                });
    GatewayKit.await(server.listen());
  }

  public static IssuerServer start(Vertx vertx) {
    return new IssuerServer(vertx);
  }

  /** The issuer's URL, as its tokens' {@code iss} names it. */
  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public String jwksUrl() {
    return url() + "/jwks";
  }

  /** Publishes {@code published} (their public parts) from now on. */
  public IssuerServer keys(JWK... published) {
    keys = List.of(published);
    return this;
  }

  public IssuerServer cacheControl(String value) {
    cacheControl = value;
    return this;
  }

  public int keyFetches() {
    return keyFetches.get();
  }

  public int discoveries() {
    return discoveries.get();
  }

  @Override
  public void close() {
    GatewayKit.await(server.close());
  }
}
