package dev.crossgate.app;

import picocli.CommandLine.Option;

/**
 * How the roles' HTTP servers speak: one flag for the traffic port and the control plane's admin
 * port.
 */
final class HttpFlags {
  @Option(
      names = "--h2c",
      description =
          "Accept cleartext HTTP/2 (prior knowledge and Upgrade: h2c) on the traffic "
              + "and control-plane admin ports (default: off: HTTP/1.1, or HTTP/2 over TLS). Off, a proxy in front that "
              + "passes upgrades on cannot be used to tunnel requests past its own checks (h2c smuggling).")
  boolean h2c;
}
