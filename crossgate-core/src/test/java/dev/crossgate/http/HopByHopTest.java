package dev.crossgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * RFC 9110 section 7.6.1 as every hop applies it; the allocation-free checks against the plain
 * definition.
 */
class HopByHopTest {
  private static final List<String> NAMES =
      List.of(
          "Connection",
          "Keep-Alive",
          "TE",
          "Transfer-Encoding",
          "Upgrade",
          "Proxy-Connection",
          "Proxy-Authenticate",
          "Proxy-Authorization",
          "Trailer",
          "Proxy-",
          "Proxy",
          "Host",
          "Content-Length",
          "Content-Type",
          "X-Secret-Hop",
          "Te",
          "Tee",
          "Upgrade-Insecure-Requests",
          "Trailers",
          "Connections",
          "Keep-Alive-X",
          "X-Proxy-Id",
          "Via",
          "Accept",
          "A",
          "",
          "Transfer-Encodinh",
          "Keep_Alive");

  private static boolean plainDefinition(String name, Set<String> named) {
    var lower = name.toLowerCase(Locale.ROOT);
    return HopByHop.FIELDS.contains(lower) || lower.startsWith("proxy-") || named.contains(lower);
  }

  private static String randomCase(String s, Random random) {
    var sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      sb.append(random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
    }
    return sb.toString();
  }

  @Test
  void hopByHopAgreesWithThePlainDefinitionForAnyCasing() {
    var random = new Random(7);
    var namedSets =
        List.of(Set.<String>of(), Set.of("x-secret-hop"), Set.of("x-secret-hop", "accept"));
    var checked = new ArrayList<String>();

    for (int round = 0; round < 50; round++) {
      for (var name : NAMES) {
        var cased = randomCase(name, random);
        for (var named : namedSets) {
          assertThat(HopByHop.isHopByHop(cased, named))
              .as("%s named by %s", cased, named)
              .isEqualTo(plainDefinition(cased, named));
        }
        checked.add(cased);
      }
    }

    assertThat(checked).hasSize(50 * NAMES.size());
  }

  @Test
  void aLoneKeepAliveOrCloseNamesNoFieldAndAListNamesEach() {
    assertThat(HopByHop.connectionTokens(List.of())).isEmpty();
    assertThat(HopByHop.connectionTokens(List.of("Keep-Alive"))).isEmpty();
    assertThat(HopByHop.connectionTokens(List.of("close"))).isEmpty();
    assertThat(HopByHop.connectionTokens(List.of("keep-alive, X-Secret-Hop", "Upgrade")))
        .isEqualTo(Set.of("keep-alive", "x-secret-hop", "upgrade"));
    assertThat(HopByHop.connectionTokens(List.of("close", "X-Other")))
        .isEqualTo(Set.of("close", "x-other"));
  }

  @Test
  void aFieldNamedInConnectionIsNotPassedOnWhateverItsCase() {
    var in =
        MultiMap.caseInsensitiveMultiMap()
            .add("Connection", "keep-alive, X-Secret-Hop")
            .add("connection", "X-Other-Hop")
            .add("x-secret-hop", "for this hop only")
            .add("X-OTHER-HOP", "also")
            .add("Keep-Alive", "timeout=5")
            .add("Proxy-Authorization", "Basic c2VjcmV0")
            .add("Host", "example.com")
            .add("Content-Type", "text/plain")
            .add("X-Request-Id", "r1");

    var out =
        HopByHop.copyEndToEnd(
            in, MultiMap.caseInsensitiveMultiMap(), name -> name.equalsIgnoreCase("host"));

    assertThat(out.names()).containsExactlyInAnyOrder("Content-Type", "X-Request-Id");
  }

  @Test
  void withoutConnectionOnlyTheFixedFieldsAreDropped() {
    var in =
        MultiMap.caseInsensitiveMultiMap()
            .add("TE", "trailers")
            .add("Upgrade", "h2c")
            .add("Transfer-Encoding", "chunked")
            .add("Trailer", "Digest")
            .add("X-Kept", "1")
            .add("Host", "example.com");

    var out = HopByHop.copyEndToEnd(in, MultiMap.caseInsensitiveMultiMap(), name -> false);

    assertThat(out.names()).containsExactlyInAnyOrder("X-Kept", "Host");
  }
}
