import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Turns a JFR recording into top-N text tables: CPU samples by top frame (self) and by frame
 * anywhere on the stack (inclusive), allocation weight by allocating frame and by class, and the
 * inclusive share of Crossgate's own frames.
 *
 * <pre>java bench/JfrTop.java recording.jfr [N] [thread-name-prefix]
 * java bench/JfrTop.java recording.jfr --callers FRAME-SUBSTRING [depth]</pre>
 *
 * The second form prints the heaviest call paths (CPU and allocation) leading to frames whose
 * name contains the substring, for finding who calls a hot frame.
 *
 * Only samples of threads whose name starts with the prefix are counted (default
 * {@code vert.x-eventloop}: the threads that carry the proxy path).
 */
public final class JfrTop {
  public static void main(String[] args) throws IOException {
    var file = Path.of(args[0]);
    if (args.length > 2 && args[1].equals("--callers")) {
      callers(file, args[2], args.length > 3 ? Integer.parseInt(args[3]) : 8);
      return;
    }
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 25;
    var prefix = args.length > 2 ? args[2] : "vert.x-eventloop";

    var selfCpu = new HashMap<String, Long>();
    var totalCpu = new HashMap<String, Long>();
    var ownCpu = new HashMap<String, Long>();
    var allocSite = new HashMap<String, Long>();
    var allocClass = new HashMap<String, Long>();
    var allocInclusive = new HashMap<String, Long>();
    var allocSiteCount = new HashMap<String, Long>();
    long allocSamples = 0;
    long cpuSamples = 0;
    long allocWeight = 0;
    long otherThreadSamples = 0;

    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      var type = e.getEventType().getName();
      boolean cpu = type.equals("jdk.ExecutionSample");
      boolean alloc = type.equals("jdk.ObjectAllocationSample");
      if (!cpu && !alloc || e.getStackTrace() == null) {
        continue;
      }
      var thread = cpu ? e.getThread("sampledThread") : e.getThread("eventThread");
      if (thread == null || thread.getJavaName() == null || !thread.getJavaName().startsWith(prefix)) {
        if (cpu) {
          otherThreadSamples++;
        }
        continue;
      }
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      if (frames.isEmpty()) {
        continue;
      }
      long w = cpu ? 1 : e.getLong("weight");
      var seen = new HashSet<String>();
      boolean ownSeen = false;
      for (var f : frames) {
        var name = name(f);
        if (seen.add(name)) {
          (cpu ? totalCpu : allocInclusive).merge(name, w, Long::sum);
          if (cpu && !ownSeen && name.startsWith("dev.crossgate.")) {
            ownSeen = true; // first (deepest) Crossgate frame only: where Crossgate code spends
            ownCpu.merge(name, w, Long::sum);
          }
        }
      }
      if (cpu) {
        cpuSamples++;
        selfCpu.merge(name(frames.get(0)), w, Long::sum);
      } else {
        allocWeight += w;
        allocSamples++;
        allocSite.merge(firstNonJdk(frames), w, Long::sum);
        allocSiteCount.merge(firstNonJdk(frames), 1L, Long::sum);
        allocClass.merge(e.getClass("objectClass").getName(), w, Long::sum);
      }
    }
    System.out.printf("%s: %d CPU samples on %s* threads (%d on other threads); %.1f MB allocation weight%n%n",
        file.getFileName(), cpuSamples, prefix, otherThreadSamples, allocWeight / 1048576.0);
    print("CPU, self (top frame)", selfCpu, cpuSamples, n);
    print("CPU, inclusive (frame anywhere on the stack)", totalCpu, cpuSamples, n);
    print("CPU, innermost Crossgate frame (inclusive)", ownCpu, cpuSamples, n);
    print("allocation weight by class", allocClass, allocWeight, n);
    print("allocation weight by allocating frame (first frame outside java.*/jdk.*)", allocSite, allocWeight, n);
    print("allocation weight, inclusive", allocInclusive, allocWeight, n);
    // weights follow TLAB refills and the sampler's throttle, so a few samples can carry most of
    // the weight in a short recording; the plain sample count is the steadier view
    print("allocation samples by allocating frame (count, " + allocSamples + " samples)", allocSiteCount,
        allocSamples, n);
  }

  private static void callers(Path file, String needle, int depth) throws IOException {
    var cpu = new HashMap<String, Long>();
    var alloc = new HashMap<String, Long>();
    long cpuTotal = 0;
    long allocTotal = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      var type = e.getEventType().getName();
      boolean isCpu = type.equals("jdk.ExecutionSample");
      if (!isCpu && !type.equals("jdk.ObjectAllocationSample") || e.getStackTrace() == null) {
        continue;
      }
      long w = isCpu ? 1 : e.getLong("weight");
      if (isCpu) {
        cpuTotal += w;
      } else {
        allocTotal += w;
      }
      var frames = e.getStackTrace().getFrames();
      for (int i = 0; i < frames.size(); i++) {
        if (name(frames.get(i)).contains(needle)) {
          var path = new StringBuilder();
          for (int j = i; j < Math.min(frames.size(), i + depth); j++) {
            path.append(j == i ? "" : "\n      <- ").append(name(frames.get(j)));
          }
          (isCpu ? cpu : alloc).merge(path.toString(), w, Long::sum);
          break;
        }
      }
    }
    print("CPU paths to *" + needle + "*", cpu, cpuTotal, 8);
    print("allocation paths to *" + needle + "*", alloc, allocTotal, 8);
  }

  private static String name(RecordedFrame f) {
    var m = f.getMethod();
    return m.getType().getName() + "." + m.getName();
  }

  private static String firstNonJdk(List<RecordedFrame> frames) {
    for (var f : frames) {
      var type = f.getMethod().getType().getName();
      if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
        return name(f);
      }
    }
    return name(frames.get(0));
  }

  private static void print(String title, Map<String, Long> counts, long total, int n) {
    System.out.println("-- " + title);
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(n)
        .forEach(en -> System.out.printf("%6.2f%%  %s%n", 100.0 * en.getValue() / Math.max(1, total), en.getKey()));
    System.out.println();
  }
}
