package dev.crossgate.admin.extension;

import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.extension.Extension;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;

/**
 * Fetches each WebAssembly artifact of an extension when it is written and refuses the write
 * when a module is too large, does not match its registered SHA-256 or is not WebAssembly.
 * Blocking: runs on the Admin API's worker thread.
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
        try {
          ArtifactCheck.fetch(http, artifact, timeout);
        } catch (ArtifactCheck.BadArtifactException e) {
          errors.add(new FieldError("versions[" + i + "].artifact", e.getMessage()));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ProblemException(Problem.validation(errors));
    }
  }
}
