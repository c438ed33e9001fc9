// Route changes as a user sees them: each change is a route created through the Admin API, timed
// from sending the write until the gateway port serves the new route (an answer from the upstream,
// not the gateway's 404). Prints the median, p90, p99 and max, and the same from the 201.
//   java bench/proxy/RouteChange.java ADMIN_URL TOKEN GATEWAY_URL TARGET_URL [CHANGES]
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;

public class RouteChange {
  public static void main(String[] args) throws Exception {
    var admin = args[0];
    var token = args[1];
    var gateway = args[2];
    var target = args[3];
    int changes = args.length > 4 ? Integer.parseInt(args[4]) : 50;
    var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    var untilServed = new double[changes];
    var afterAnswer = new double[changes];
    var run = Long.toString(System.currentTimeMillis(), 36);
    for (int i = 0; i < changes; i++) {
      var path = "/change-" + run + "-" + i;
      var body =
          "{\"service\":\"route-change\",\"sourcePath\":\"" + path + "\",\"targetUrl\":\"" + target + "\"}";
      var write =
          HttpRequest.newBuilder(URI.create(admin + "/admin/routes"))
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      var probe = HttpRequest.newBuilder(URI.create(gateway + path + "/x")).GET().build();
      long start = System.nanoTime();
      var answer = http.send(write, HttpResponse.BodyHandlers.ofString());
      long answered = System.nanoTime();
      if (answer.statusCode() != 201) {
        throw new IllegalStateException("route write answered " + answer.statusCode() + ": " + answer.body());
      }
      while (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 404) {
        if (System.nanoTime() - start > 30_000_000_000L) {
          throw new IllegalStateException(path + " not served 30 s after its write");
        }
      }
      long served = System.nanoTime();
      untilServed[i] = (served - start) / 1e6;
      afterAnswer[i] = (served - answered) / 1e6;
    }
    System.out.println(
        "route change, write sent -> served: " + summary(untilServed) + "; 201 -> served: " + summary(afterAnswer));
  }

  private static String summary(double[] ms) {
    var sorted = ms.clone();
    Arrays.sort(sorted);
    return String.format(
        "n=%d median %.1f ms, p90 %.1f, p99 %.1f, max %.1f",
        sorted.length, at(sorted, 0.5), at(sorted, 0.9), at(sorted, 0.99), sorted[sorted.length - 1]);
  }

  private static double at(double[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }
}
