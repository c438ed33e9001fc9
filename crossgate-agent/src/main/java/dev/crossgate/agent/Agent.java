package dev.crossgate.agent;

import dev.crossgate.agent.declaration.Declarations;
import dev.crossgate.agent.task.AgentTasks;
import dev.crossgate.agent.task.Supervisor;
import dev.crossgate.egress.EgressClient;
import dev.crossgate.http.Transports;
import dev.crossgate.store.Database;
import dev.crossgate.store.OwnerOnlyFiles;
import dev.crossgate.trace.Tracing;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * {@code crossgate agent}, wired in one place: the local task database (H2 file in the data dir,
 * its own migrations under {@code db/agent}), the declarations, the supervisor and the caller port.
 * Starting never needs the gateway to be up: declarations and tasks catch up when it is.
 */
public final class Agent {
  private final Vertx vertx;
  private final Database database;
  private final WorkerExecutor workers;
  private final HttpClient gatewayClient;
  private final HttpClient callbackClient;
  private final Supervisor supervisor;
  private final int port;
  private final String listenerDeployment;
  private final AgentTasks tasks;
  private final long declarationsTimer;
  private final Tracing tracing;

  private Agent(
      Vertx vertx,
      Database database,
      WorkerExecutor workers,
      HttpClient gatewayClient,
      HttpClient callbackClient,
      Supervisor supervisor,
      int port,
      String listenerDeployment,
      AgentTasks tasks,
      long declarationsTimer,
      Tracing tracing) {
    this.vertx = vertx;
    this.database = database;
    this.workers = workers;
    this.gatewayClient = gatewayClient;
    this.callbackClient = callbackClient;
    this.supervisor = supervisor;
    this.port = port;
    this.listenerDeployment = listenerDeployment;
    this.tasks = tasks;
    this.declarationsTimer = declarationsTimer;
    this.tracing = tracing;
  }

  public static Future<Agent> start(Vertx vertx, AgentOptions options) {
    return start(vertx, options, null);
  }

  /**
   * As above; an https gateway is verified against the PEM CA certificate(s) in {@code gatewayCa}
   * instead of the JVM's trust store (a private CA), when not null.
   */
  public static Future<Agent> start(
      Vertx vertx, AgentOptions options, java.nio.file.Path gatewayCa) {
    return start(vertx, options, gatewayCa, () -> "");
  }

  /**
   * As above, serving {@code metrics} (Prometheus text of the process's registries) on {@code GET
   * /metrics}.
   */
  public static Future<Agent> start(
      Vertx vertx,
      AgentOptions options,
      java.nio.file.Path gatewayCa,
      java.util.function.Supplier<String> metrics) {
    return start(vertx, options, gatewayCa, metrics, Tracing.OFF);
  }

  /**
   * As above, tracing callers' requests, the calls to the gateway and the callbacks with {@code
   * tracing}; the agent closes it when it closes.
   */
  public static Future<Agent> start(
      Vertx vertx,
      AgentOptions options,
      java.nio.file.Path gatewayCa,
      java.util.function.Supplier<String> metrics,
      Tracing tracing) {
    return vertx
        .executeBlocking(
            () -> {
              OwnerOnlyFiles.createDirectories(options.dataDir());
              return Database.open(
                  Database.h2Url(options.dataDir(), "agent"), "sa", "", 8, "classpath:db/agent");
            })
        .compose(
            database -> {
              var workers = vertx.createSharedWorkerExecutor("crossgate-agent-tasks", 8);
              var gatewayOptions = new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true);
              if (gatewayCa != null) {
                gatewayOptions.setTrustOptions(
                    new io.vertx.core.net.PemTrustOptions().addCertPath(gatewayCa.toString()));
              }
              var gatewayClient =
                  vertx.createHttpClient(
                      gatewayOptions,
                      new PoolOptions()
                          .setHttp1MaxSize(Math.max(8, options.maxConcurrent()))
                          .setMaxWaitQueueSize(-1));
              var callbackClient =
                  vertx.createHttpClient(
                      new HttpClientOptions().setKeepAlive(true),
                      new PoolOptions().setHttp1MaxSize(Math.max(4, options.maxConcurrent() / 2)));
              var tasks = new AgentTasks(database, workers, Clock.systemUTC());
              var declarations =
                  new Declarations(gatewayClient, options.gatewayUrl(), options.apiKey());
              // callbacks go to caller-chosen URLs: through the egress policy, never to the agent's
              // own port
              var egress =
                  EgressClient.create(
                      vertx,
                      callbackClient,
                      options.port() > 0
                          ? options.egress().withOwnPort(options.port())
                          : options.egress());
              var supervisor =
                  new Supervisor(vertx, tasks, gatewayClient, egress, options, tracing);
              var queryPool =
                  new PoolOptions()
                      .setHttp1MaxSize(Math.max(8, options.maxConcurrent()))
                      .setMaxWaitQueueSize(-1);
              long period = options.declarationsRefresh().toMillis();
              long timer = vertx.setPeriodic(period, period, t -> declarations.refresh());
              int port = Transports.sharedPort(options.bind(), options.port());
              var listenerOptions =
                  new HttpServerOptions().setHost(options.bind()).setPort(port).setTcpNoDelay(true);
              Supplier<Deployable> listener =
                  () ->
                      new CallerListener(
                          listenerOptions,
                          gatewayOptions,
                          queryPool,
                          client ->
                              new AgentServer(
                                  vertx,
                                  client,
                                  declarations,
                                  tasks,
                                  supervisor,
                                  egress,
                                  options,
                                  metrics,
                                  tracing));
              return declarations
                  .refresh()
                  .otherwiseEmpty()
                  .compose(
                      v ->
                          vertx.deployVerticle(
                              listener,
                              new DeploymentOptions()
                                  .setInstances(Runtime.getRuntime().availableProcessors())))
                  .map(
                      deployment -> {
                        egress.ownPort(port);
                        supervisor.start();
                        supervisor.kick();
                        return new Agent(
                            vertx,
                            database,
                            workers,
                            gatewayClient,
                            callbackClient,
                            supervisor,
                            port,
                            deployment,
                            tasks,
                            timer,
                            tracing);
                      });
            });
  }

  public int port() {
    return port;
  }

  /** Tasks not yet delivered or collected (for tests and the bench). */
  public Future<Long> unfinishedTasks() {
    return tasks.unfinished();
  }

  public Future<Void> close() {
    vertx.cancelTimer(declarationsTimer);
    supervisor.stop();
    return vertx
        .undeploy(listenerDeployment)
        .eventually(() -> gatewayClient.close())
        .eventually(() -> callbackClient.close())
        // store calls already running finish before the database closes under them
        .eventually(() -> tasks.drain(Duration.ofSeconds(10)))
        .eventually(() -> workers.close())
        .eventually(
            () ->
                vertx.executeBlocking(
                    () -> {
                      database.close();
                      // exports the spans left
                      tracing.close();
                      return null;
                    }));
  }
}
