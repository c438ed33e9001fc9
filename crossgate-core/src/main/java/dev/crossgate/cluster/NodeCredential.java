package dev.crossgate.cluster;

import dev.crossgate.auth.Secrets;
import dev.crossgate.id.Ids;
import java.util.regex.Pattern;

/**
 * A gateway node's proof of identity on the cluster stream, issued once when the node enrols
 * ({@code POST /cluster/enrol} with the cluster token) and presented on every later connection:
 * {@code X-Crossgate-Node-Id: <nodeId>} and {@code Authorization: Bearer <credential>}. The
 * credential is 256 random bits; the control plane keeps only its SHA-256, the node keeps it in its
 * data dir. The cluster token alone cannot become a node that is enrolled already, which is what
 * stops a holder of the shared token from impersonating {@code n1}.
 *
 * @param nodeId the node this credential is bound to
 * @param credential the secret, {@code cgn_} + 43 base64url characters
 */
public record NodeCredential(String nodeId, String credential) {
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  public NodeCredential {
    if (!validNodeId(nodeId)) {
      throw new IllegalArgumentException("invalid node id");
    }
    if (credential == null || credential.isBlank()) {
      throw new IllegalArgumentException("a node credential is not blank");
    }
  }

  /** A fresh credential for {@code nodeId}. */
  public static NodeCredential issue(String nodeId) {
    return new NodeCredential(nodeId, "cgn_" + Ids.randomToken(32));
  }

  /** Letters, digits, '.', '_' and '-', starting with a letter or digit, at most 128 characters. */
  public static boolean validNodeId(String nodeId) {
    return nodeId != null && NODE_ID.matcher(nodeId).matches();
  }

  /** What the control plane stores and compares: SHA-256 of the credential, hex. */
  public String credentialHash() {
    return Secrets.sha256Hex(credential);
  }

  /** Never the secret: records print every component, and credentials end up in logs that way. */
  @Override
  public String toString() {
    return "NodeCredential[nodeId=" + nodeId + ", credential=***]";
  }

  /** The body of {@code POST /cluster/enrol}. */
  public record EnrolmentRequest(String nodeId) {}
}
