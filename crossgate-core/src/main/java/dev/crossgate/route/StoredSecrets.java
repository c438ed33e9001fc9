package dev.crossgate.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.crossgate.json.Json;
import java.nio.charset.StandardCharsets;

/**
 * Route fields that are secrets once stored — today a route's upstream client key ({@code
 * tls.clientKeyPem}): the gateway nodes receive them, the Admin API never gives them back. Reads
 * show {@link #STORED} in their place; a write that sends {@link #STORED} back (a console or script
 * that edits what it read) keeps the stored value.
 */
public final class StoredSecrets {
  /** What an Admin API read shows instead of a stored secret. */
  public static final String STORED = "(stored)";

  private static final String FIELD = "clientKeyPem";
  private static final byte[] NEEDLE = ("\"" + FIELD + "\"").getBytes(StandardCharsets.US_ASCII);

  private StoredSecrets() {}

  /** {@code json} (an Admin API answer) with every stored secret replaced by {@link #STORED}. */
  public static byte[] redact(byte[] json) {
    if (!contains(json, NEEDLE)) {
      return json;
    }
    JsonNode tree;
    try {
      tree = Json.mapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    redact(tree);
    return Json.writeBytes(tree);
  }

  private static void redact(JsonNode node) {
    if (node instanceof ObjectNode object) {
      var secret = object.get(FIELD);
      if (secret != null && !secret.isNull()) {
        object.set(FIELD, TextNode.valueOf(STORED));
      }
    }
    node.forEach(StoredSecrets::redact);
  }

  /** {@code spec} with {@link #STORED} replaced by the secret of the route it replaces. */
  public static RouteSpec keepStored(RouteSpec spec, Route existing) {
    var tls = spec.tls();
    if (tls == null || !STORED.equals(tls.clientKeyPem())) {
      return spec;
    }
    var kept = existing == null || existing.tls() == null ? null : existing.tls().clientKeyPem();
    ObjectNode tree = Json.mapper().valueToTree(spec);
    ((ObjectNode) tree.get("tls")).put(FIELD, kept);
    return Json.mapper().convertValue(tree, RouteSpec.class);
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
