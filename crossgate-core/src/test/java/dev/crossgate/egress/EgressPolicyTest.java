package dev.crossgate.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EgressPolicyTest {
  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "8.8.8.8, PUBLIC",
    "2606:4700:4700::1111, PUBLIC",
    "127.0.0.1, LOOPBACK",
    "127.255.255.254, LOOPBACK",
    "::1, LOOPBACK",
    "169.254.169.254, LINK_LOCAL",
    "fe80::1, LINK_LOCAL",
    "10.1.2.3, PRIVATE",
    "172.16.0.1, PRIVATE",
    "172.31.255.255, PRIVATE",
    "172.32.0.1, PUBLIC",
    "192.168.0.1, PRIVATE",
    "fc00::1, PRIVATE",
    "fd12:3456::1, PRIVATE",
    "100.64.0.1, SHARED",
    "100.100.100.200, SHARED",
    "100.128.0.1, PUBLIC",
    "224.0.0.1, MULTICAST",
    "ff02::1, MULTICAST",
    "0.0.0.0, UNSPECIFIED",
    "0.1.2.3, UNSPECIFIED",
    "::, UNSPECIFIED",
    "255.255.255.255, BROADCAST",
    "240.0.0.1, RESERVED",
    "192.0.0.192, RESERVED",
    "2001:db8::1, RESERVED",
    "'::ffff:127.0.0.1', LOOPBACK",
    "'::ffff:169.254.169.254', LINK_LOCAL",
    "'::127.0.0.1', LOOPBACK",
    "'64:ff9b::10.0.0.1', PRIVATE",
    "'64:ff9b::8.8.8.8', PUBLIC",
    "'2002:7f00:1::', LOOPBACK",
    "'2002:0808:0808::', PUBLIC",
  })
  void everyAddressHasItsKind(String address, AddressKind kind) throws Exception {
    assertThat(AddressKind.of(InetAddress.getByName(address))).isEqualTo(kind);
  }

  @ParameterizedTest(name = "{0} is refused by default")
  @CsvSource({
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:9080/admin/tokens",
    "http://[::1]/",
    "'http://[::ffff:127.0.0.1]:9080/'",
    "'http://[::ffff:7f00:1]/'",
    "http://2130706433/",
    "http://017700000001/",
    "http://0x7f000001/",
    "http://0/",
    "http://10.0.0.1/",
    "http://[fe80::1%25eth0]/",
    "http://100.64.0.1/",
    "http://255.255.255.255/",
  })
  void internalLiteralsAreRefusedWhateverTheirSpelling(String url) {
    var parsed = EgressUrl.parse(url);

    var verdict = EgressPolicy.DEFAULT.checkLiteral(parsed);

    assertThat(parsed.literal()).as("read as an address, never handed to a resolver").isNotNull();
    assertThat(verdict.allowed()).as(verdict.reason()).isFalse();
  }

  @ParameterizedTest(name = "{0} is the address {1}")
  @CsvSource({
    "2130706433, 127.0.0.1",
    "0x7f.1, 127.0.0.1",
    "0x7f.0.0.1, 127.0.0.1",
    "127.1, 127.0.0.1",
    "0177.0.0.01, 127.0.0.1",
    "10.0x10000, 10.1.0.0",
  })
  void numericHostsAreReadAsTheCResolverReadsThem(String host, String address) throws Exception {
    assertThat(EgressUrl.literal(host)).isEqualTo(InetAddress.getByName(address));
  }

  @ParameterizedTest(name = "{0} is a name")
  @CsvSource({
    "example.com",
    "0xcafe.example",
    "09.example",
    "123.example",
    "4294967296",
    "1.2.3.4.5"
  })
  void namesThatMerelyLookNumericStayNames(String host) {
    assertThat(EgressUrl.literal(host)).isNull();
  }

  @Test
  void aNameIsLeftForTheResolvedAddressesToDecide() {
    var verdict = EgressPolicy.DEFAULT.checkLiteral(EgressUrl.parse("http://localhost:9080/"));

    assertThat(verdict.allowed()).isTrue();
    assertThat(
            EgressPolicy.DEFAULT
                .check("localhost", InetAddress.getLoopbackAddress(), 9080, true)
                .allowed())
        .isFalse();
  }

  @Test
  void publicAddressesAreAllowedByDefault() throws Exception {
    assertThat(
            EgressPolicy.DEFAULT
                .check("example.com", InetAddress.getByName("93.184.215.14"), 443, false)
                .allowed())
        .isTrue();
  }

  @Test
  void anAllowedBlockAdmitsItsAddressesInEveryIpv6Spelling() throws Exception {
    var policy = EgressPolicy.allowing("127.0.0.0/8", "fd00::/8");

    assertThat(policy.check("127.0.0.1", InetAddress.getByName("127.0.0.1"), 8080, true).allowed())
        .isTrue();
    assertThat(
            policy.check("::127.0.0.1", InetAddress.getByName("::127.0.0.1"), 8080, true).allowed())
        .isTrue();
    assertThat(policy.check("fd00::5", InetAddress.getByName("fd00::5"), 80, false).allowed())
        .isTrue();
    assertThat(policy.check("10.0.0.1", InetAddress.getByName("10.0.0.1"), 80, false).allowed())
        .isFalse();
    assertThat(
            policy
                .check("169.254.169.254", InetAddress.getByName("169.254.169.254"), 80, false)
                .allowed())
        .isFalse();
  }

  @Test
  void anAllowedHostNameAdmitsWhateverItResolvesTo() throws Exception {
    var policy = EgressPolicy.allowing("uploads.internal", "*.svc.cluster.local");
    var internal = InetAddress.getByName("10.3.0.7");

    assertThat(policy.check("uploads.internal", internal, 80, false).allowed()).isTrue();
    assertThat(policy.check("orders.ns.svc.cluster.local", internal, 80, false).allowed()).isTrue();
    assertThat(policy.check("svc.cluster.local.evil.example", internal, 80, false).allowed())
        .isFalse();
    assertThat(policy.check("uploads.internal.evil.example", internal, 80, false).allowed())
        .isFalse();
  }

  @Test
  void thisProcesssOwnPortsAreRefusedOnThisHostEvenWhenItsAddressIsAllowed() throws Exception {
    var policy = EgressPolicy.allowing("127.0.0.0/8").withOwnPorts(List.of(9000, 9080));
    var loopback = InetAddress.getByName("127.0.0.1");

    assertThat(policy.check("127.0.0.1", loopback, 9080, true).allowed()).isFalse();
    assertThat(policy.check("127.0.0.1", loopback, 8080, true).allowed()).isTrue();
    assertThat(policy.check("0.0.0.0", InetAddress.getByName("0.0.0.0"), 9000, false).allowed())
        .isFalse();
    assertThat(
            policy
                .check("example.com", InetAddress.getByName("93.184.215.14"), 9000, false)
                .allowed())
        .isTrue();
  }

  @Test
  void anAllowListEntryThatIsNeitherABlockNorANameIsRefusedWithItsText() {
    assertThatThrownBy(() -> EgressPolicy.allowing("127.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'127.1'");
    assertThatThrownBy(() -> EgressPolicy.allowing("10.0.0.0/33"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EgressPolicy.allowing("http://x/"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aUrlThatIsNotHttpIsNotAnEgressUrl() {
    assertThatThrownBy(() -> EgressUrl.parse("file:///etc/passwd"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EgressUrl.parse("gopher://127.0.0.1/"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
