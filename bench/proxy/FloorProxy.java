// The floor under Crossgate's proxy path: the least a Vert.x reverse proxy does, on the same
// Vert.x, Netty and transport as the shipped jar (which is its classpath), with the same client
// settings, and nothing else — no chain, routing, headers policy, log or metrics. The `floor` row
// of run.sh measures it against nginx, so the gap between floor and Crossgate is what Crossgate's
// own code costs, and the gap between floor and nginx what the runtime costs on this machine.
//   java -cp crossgate-app/target/crossgate.jar bench/proxy/FloorProxy.java PORT UPSTREAM_PORT
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

public class FloorProxy {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int upstreamPort = Integer.parseInt(args[1]);
    int loops = Runtime.getRuntime().availableProcessors();
    var vertx =
        Vertx.vertx(
            new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
    vertx
        .deployVerticle(
            () -> new Proxy(port, upstreamPort, loops), new DeploymentOptions().setInstances(loops))
        .onSuccess(
            id ->
                System.out.println(
                    "floor proxy ready port=" + port + " native=" + vertx.isNativeTransportEnabled()))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  static final class Proxy extends VerticleBase {
    private final int port;
    private final int upstreamPort;
    private final int loops;

    Proxy(int port, int upstreamPort, int loops) {
      this.port = port;
      this.upstreamPort = upstreamPort;
      this.loops = loops;
    }

    @Override
    public Future<?> start() {
      HttpClient client =
          vertx.createHttpClient(
              new HttpClientOptions()
                  .setKeepAlive(true)
                  .setTcpNoDelay(true)
                  .setDecompressionSupported(false),
              new PoolOptions().setHttp1MaxSize(Math.max(1, 256 / loops)));
      return vertx
          .createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
          .requestHandler(
              request -> {
                request.pause();
                var options =
                    new RequestOptions()
                        .setMethod(request.method())
                        .setHost("127.0.0.1")
                        .setPort(upstreamPort)
                        .setURI(request.uri());
                client
                    .request(options)
                    .compose(
                        upstream -> {
                          upstream.headers().addAll(request.headers());
                          return upstream.send(request);
                        })
                    .onSuccess(
                        answer -> {
                          var response = request.response().setStatusCode(answer.statusCode());
                          response.headers().addAll(answer.headers());
                          answer.pipeTo(response);
                        })
                    .onFailure(e -> request.response().setStatusCode(502).end());
              })
          .listen(port, "127.0.0.1");
    }
  }
}
