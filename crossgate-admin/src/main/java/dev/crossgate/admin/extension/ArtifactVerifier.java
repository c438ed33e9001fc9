package dev.crossgate.admin.extension;

import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.extension.Extension;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;

/**
 * Fetches each registered WebAssembly artifact once when an extension is written and refuses the
 * write when a module is too large, does not match its registered SHA-256 or is not WebAssembly,
 * so a tenant learns of a bad artifact at registration rather than on live traffic. Blocking:
 * runs on the Admin API's worker thread.
 */
public final class ArtifactVerifier {
  private final HttpClient http;
  private final Duration timeout;

  public ArtifactVerifier(Duration timeout) {
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    this.timeout = timeout;
  }

  public void verify(Extension extension) {
    var errors = new ArrayList<FieldError>();
    var versions = extension.versions();
    for (int i = 0; i < versions.size(); i++) {
      var artifact = versions.get(i).artifact();
      if (artifact != null) {
        var problem = check(artifact);
        if (problem != null) {
          errors.add(new FieldError("versions[" + i + "].artifact", problem));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
  }

  private String check(Extension.Artifact artifact) {
    try {
      var response = http.send(HttpRequest.newBuilder(URI.create(artifact.url())).timeout(timeout).GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (var body = response.body()) {
        if (response.statusCode() != 200) {
          return "fetching " + artifact.url() + " answered " + response.statusCode();
        }
        return ArtifactCheck.problem(readAtMost(body, ArtifactCheck.MAX_MODULE_BYTES + 1), artifact);
      }
    } catch (IOException e) {
      return "could not be fetched from " + artifact.url() + ": " + e.getClass().getSimpleName();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "fetching was interrupted";
    }
  }

  /** Reads up to {@code limit} bytes: enough to tell an oversized module without holding it all. */
  private static byte[] readAtMost(InputStream in, int limit) throws IOException {
    return in.readNBytes(limit);
  }
}
