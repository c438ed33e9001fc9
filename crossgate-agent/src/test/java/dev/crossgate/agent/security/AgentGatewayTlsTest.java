package dev.crossgate.agent.security;

import static dev.crossgate.agent.kit.Futures.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.agent.Agent;
import dev.crossgate.agent.AgentOptions;
import dev.crossgate.tls.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent in front of an https gateway with a private CA: a query goes over TLS to the gateway's
 * address and base path when the agent trusts that CA; an agent that does not trust it cannot even
 * fetch the declarations, answers a 404 problem and never reaches the gateway's handler.
 */
class AgentGatewayTlsTest {
  private static final String DECLARATIONS =
      "{\"markers\":{\"sync\":\"/sync\",\"async\":\"/async\"},\"interfaces\":["
          + "{\"id\":\"q\",\"sourcePath\":\"/q\",\"requestPath\":\"/sync/q\","
          + "\"mode\":\"SYNC\",\"params\":[]}]}";

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final CopyOnWriteArrayList<String> served = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    join(vertx.close());
  }

  @Test
  void aQueryReachesAnHttpsGatewayOnlyThroughItsCa() throws Exception {
    var ca = TestCertificates.authority("Private Gateway CA");
    var pem = ca.server("127.0.0.1").write(dir, "gateway");
    HttpServer gateway =
        join(
            vertx
                .createHttpServer(
                    new HttpServerOptions()
                        .setSsl(true)
                        .setKeyCertOptions(
                            new PemKeyCertOptions()
                                .setCertPath(pem.cert().toString())
                                .setKeyPath(pem.key().toString())))
                .requestHandler(
                    request -> {
                      served.add(request.path());
                      if (request.path().endsWith("/_interfaces")) {
                        request
                            .response()
                            .putHeader("Content-Type", "application/json")
                            .end(DECLARATIONS);
                      } else {
                        request.response().end("answer over tls to " + request.path());
                      }
                    })
                .listen(0, "127.0.0.1"));
    // a base path on the gateway URL stays in front of every path the agent asks for
    var url = "https://127.0.0.1:" + gateway.actualPort() + "/edge";

    var trusting = start(url, ca.writeCert(dir, "ca"), "trusting");
    var answer = get(trusting.port());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("answer over tls to /edge/sync/q");

    served.clear();
    var untrusting = start(url, null, "untrusting");
    var refused = get(untrusting.port());
    // it cannot even fetch the declarations over a connection it does not trust: nothing is
    // declared, so nothing is forwarded
    assertThat(refused.statusCode()).isEqualTo(404);
    assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(refused.body()).contains("no interface is declared at /q");
    assertThat(served).as("the gateway's handler saw nothing").isEmpty();
  }

  private Agent start(String gatewayUrl, Path gatewayCa, String name) {
    return join(
        Agent.start(
            vertx,
            AgentOptions.defaults(gatewayUrl, "key", dir.resolve(name), "whsec_c2VjcmV0")
                .withListen("127.0.0.1", 0),
            gatewayCa));
  }

  private static HttpResponse<String> get(int port) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q")).build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
