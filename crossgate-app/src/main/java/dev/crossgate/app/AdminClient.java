package dev.crossgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A small blocking client of the Admin API for the command line: JSON in and out, the admin token
 * as a bearer token, errors as the server's problem documents.
 */
final class AdminClient {
  private final URI base;
  private final String token;
  private final HttpClient http;

  AdminClient(URI base, String token, Path caPem) {
    this.base = base;
    this.token = token;
    var builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (caPem != null) {
      builder.sslContext(trusting(caPem));
    }
    this.http = builder.build();
  }

  /**
   * An answer of the Admin API.
   *
   * @param json the body, parsed (a problem document for an error status)
   * @param etag the ETag header, or null
   */
  record Answer(int status, JsonNode json, String etag) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  /** The Admin API could not be reached or did not answer JSON. */
  static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreachable(String message) {
      super(message);
    }
  }

  Answer get(String path) throws Unreachable {
    return send(request(path).GET());
  }

  /**
   * @param ifMatch an entity tag the server must still have, or null
   */
  Answer put(String path, byte[] json, String ifMatch) throws Unreachable {
    var request =
        request(path)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(json));
    if (ifMatch != null) {
      request.header("If-Match", ifMatch);
    }
    return send(request);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(120))
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json");
  }

  private Answer send(HttpRequest.Builder request) throws Unreachable {
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new Unreachable("cannot reach the Admin API at " + base + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted");
    }
    try (var body = response.body()) {
      var json = Json.mapper().readTree(body);
      return new Answer(
          response.statusCode(), json, response.headers().firstValue("etag").orElse(null));
    } catch (IOException e) {
      throw new Unreachable(
          base
              + " answered "
              + response.statusCode()
              + " without JSON: is it a Crossgate Admin API?");
    }
  }

  private static SSLContext trusting(Path caPem) {
    try (var in = Files.newInputStream(caPem)) {
      var store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca" + i++, certificate);
      }
      var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      var context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the CA certificates in " + caPem, e);
    }
  }
}
