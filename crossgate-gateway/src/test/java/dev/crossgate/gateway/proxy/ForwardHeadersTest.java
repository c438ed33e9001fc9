package dev.crossgate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The allocation-free checks against the plain definition they replace (lower-case, then look up). */
class ForwardHeadersTest {
  private static final List<String> NAMES = List.of("Connection", "Keep-Alive", "TE", "Transfer-Encoding", "Upgrade",
      "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "Trailer", "Proxy-", "Proxy", "Host",
      "Content-Length", "Content-Type", "X-Secret-Hop", "Te", "Tee", "Upgrade-Insecure-Requests", "Trailers",
      "Connections", "Keep-Alive-X", "X-Proxy-Id", "Via", "Accept", "A", "", "Transfer-Encodinh", "Keep_Alive");

  private static boolean plainDefinition(String name, Set<String> named) {
    var lower = name.toLowerCase(Locale.ROOT);
    return ForwardHeaders.HOP_BY_HOP.contains(lower) || lower.startsWith("proxy-") || named.contains(lower);
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
    var namedSets = List.of(Set.<String>of(), Set.of("x-secret-hop"), Set.of("x-secret-hop", "accept"));
    var checked = new ArrayList<String>();

    for (int round = 0; round < 50; round++) {
      for (var name : NAMES) {
        var cased = randomCase(name, random);
        for (var named : namedSets) {
          assertThat(ForwardHeaders.isHopByHop(cased, named)).as("%s named by %s", cased, named)
              .isEqualTo(plainDefinition(cased, named));
        }
        checked.add(cased);
      }
    }

    assertThat(checked).hasSize(50 * NAMES.size());
  }

  @Test
  void aLoneKeepAliveOrCloseNamesNoFieldAndAListNamesEach() {
    assertThat(ForwardHeaders.connectionTokens(MultiMap.caseInsensitiveMultiMap())).isEmpty();
    assertThat(ForwardHeaders.connectionTokens(MultiMap.caseInsensitiveMultiMap().add("Connection", "Keep-Alive")))
        .isEmpty();
    assertThat(ForwardHeaders.connectionTokens(MultiMap.caseInsensitiveMultiMap().add("connection", "close")))
        .isEmpty();
    assertThat(ForwardHeaders.connectionTokens(MultiMap.caseInsensitiveMultiMap()
        .add("Connection", "keep-alive, X-Secret-Hop").add("Connection", "Upgrade")))
        .isEqualTo(new HashSet<>(List.of("keep-alive", "x-secret-hop", "upgrade")));
    assertThat(ForwardHeaders.connectionTokens(MultiMap.caseInsensitiveMultiMap()
        .add("Connection", "close").add("Connection", "X-Other")))
        .isEqualTo(new HashSet<>(List.of("close", "x-other")));
  }
}
