package dev.crossgate.app;

import dev.crossgate.admin.ControlPlaneOptions;
import dev.crossgate.admin.cluster.ClusterOptions;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Storage and control-plane options of the roles that run a control plane. */
final class StorageFlags {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--admin-port",
      converter = PortNumber.class,
      defaultValue = "9080",
      description = "Admin API and console port (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Mixin DatabaseFlags database = new DatabaseFlags();

  @Option(
      names = "--redis",
      description =
          "Redis URI for the shared route cache and, in standalone, the rate-limit counters, e.g."
              + " redis://127.0.0.1:6379 (default: none).")
  String redis;

  @Option(
      names = "--redis-ttl",
      defaultValue = "PT1H",
      description = "Lifetime of a Redis cache entry, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration redisTtl;

  @Option(
      names = "--redis-refresh",
      defaultValue = "PT5M",
      description = "Period of the cache refresh from the database (default: ${DEFAULT-VALUE}).")
  Duration redisRefresh;

  @Option(
      names = "--admin-token",
      defaultValue = "${env:CROSSGATE_ADMIN_TOKEN}",
      description =
          "Bootstrap admin "
              + "token (or env CROSSGATE_ADMIN_TOKEN), at least 24 characters. When absent, one is generated on first start, "
              + "saved in the data dir and printed once.")
  String adminToken;

  @Option(
      names = "--admin-token-file",
      description =
          "File holding the bootstrap admin token (trimmed), instead of "
              + "--admin-token: keeps it out of the process list.")
  Path adminTokenFile;

  @Option(
      names = "--admin-max-body",
      converter = ByteSize.class,
      defaultValue = "1048576",
      description =
          "Largest Admin API request body: bytes or KiB, MiB, GiB (default: ${DEFAULT-VALUE}).")
  long adminMaxBody;

  @Option(
      names = "--cluster-token",
      defaultValue = "${env:CROSSGATE_CLUSTER_TOKEN}",
      description =
          "Enrolment "
              + "secret of the cluster (or env CROSSGATE_CLUSTER_TOKEN): a gateway node presents it once and receives a "
              + "credential of its own. Without it no new node can enrol; enrolled nodes still connect.")
  String clusterToken;

  @Option(
      names = "--cluster-token-file",
      description =
          "File holding the cluster token (trimmed), instead of "
              + "--cluster-token: keeps it out of the process list.")
  Path clusterTokenFile;

  @Option(
      names = "--retained-revisions",
      defaultValue = "100000",
      description =
          "Change-log entries kept for "
              + "deltas; a node further behind gets a full snapshot (default: ${DEFAULT-VALUE}).")
  long retainedRevisions;

  @Option(
      names = "--missed-heartbeats",
      defaultValue = "3",
      description =
          "Heartbeat periods a gateway node may "
              + "miss (each node announces its --heartbeat) before /admin/nodes shows it disconnected and its stream is "
              + "closed (default: ${DEFAULT-VALUE}).")
  int missedHeartbeats;

  @Option(
      names = "--tls-cert",
      description =
          "PEM certificate chain: the admin port (Admin API, console, cluster "
              + "stream) speaks HTTPS/WSS. Needs --tls-key.")
  String tlsCert;

  @Option(names = "--tls-key", description = "PEM private key for --tls-cert.")
  String tlsKey;

  /**
   * @param h2c whether the admin port accepts cleartext HTTP/2 ({@link HttpFlags})
   */
  ControlPlaneOptions toOptions(CommonFlags common, boolean h2c) {
    var commandLine = command.commandLine();
    var admin =
        new dev.crossgate.admin.AdminOptions(
            common.bind, adminPort, adminMaxBody, 16 * 1024, tlsCert, tlsKey, h2c, true);
    var cluster =
        new ClusterOptions(
            SecretFlags.resolve(commandLine, "--cluster-token", clusterToken, clusterTokenFile),
            Duration.ofSeconds(5),
            Duration.ofSeconds(60),
            retainedRevisions);
    if (missedHeartbeats < 1) {
      throw new ParameterException(commandLine, "--missed-heartbeats must be at least 1");
    }
    cluster = cluster.withMissedHeartbeats(missedHeartbeats);
    return new ControlPlaneOptions(
        common.dataDir,
        admin,
        database.db,
        database.dbUser,
        database.password(),
        redis,
        "crossgate:",
        redisTtl,
        redisRefresh,
        SecretFlags.adminToken(commandLine, adminToken, adminTokenFile),
        cluster,
        null);
  }
}
