package dev.crossgate.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.digest.DigestAlgorithm;
import dev.crossgate.store.transfer.TransferKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RunningDigestsTest {
  private final TransferKey key = new TransferKey("acme", "t1");
  private final Map<Long, byte[]> store = new HashMap<>();
  private final AtomicInteger storeReads = new AtomicInteger();

  private final RunningDigests.StoredChunk fromStore =
      (n, running) -> {
        var bytes = store.get(n);
        if (bytes == null) {
          return false;
        }
        storeReads.incrementAndGet();
        running.update(java.nio.ByteBuffer.wrap(bytes));
        return true;
      };

  @Test
  void chunksArrivingOutOfOrderAreDigestedFromMemoryInFileOrder() {
    var digests = new RunningDigests();
    var chunks =
        new byte[][] {
          Chunks.randomBytes(1000, 1), Chunks.randomBytes(1000, 2), Chunks.randomBytes(500, 3)
        };
    var buffers = new ByteBuf[3];
    for (int n : new int[] {2, 1, 0}) {
      store.put((long) n, chunks[n]);
      buffers[n] = Unpooled.directBuffer(chunks[n].length).writeBytes(chunks[n]);
      digests.offer(key, DigestAlgorithm.SHA_256, n, buffers[n], fromStore);
      buffers[n].release(); // the caller releases its body once stored; early chunks were retained
    }

    var whole = DigestAlgorithm.SHA_256.start();
    for (var c : chunks) {
      whole.update(java.nio.ByteBuffer.wrap(c));
    }
    assertThat(digests.result(key, DigestAlgorithm.SHA_256, 3))
        .hasValueSatisfying(d -> assertThat(d).isEqualTo(whole.finish()));
    assertThat(storeReads).as("early chunks came from memory, not from the store").hasValue(0);
    assertThat(buffers)
        .allSatisfy(b -> assertThat(b.refCnt()).as("every retained chunk is released").isZero());
  }

  @Test
  void earlyChunksBeyondTheBudgetAreReadBackFromTheStore() {
    var digests = new RunningDigests();
    int size = (int) (RunningDigests.PENDING_BUDGET / 2);
    var big = new byte[size];
    for (long n = 3; n >= 1; n--) {
      store.put(n, big);
      var buffer = Unpooled.wrappedBuffer(big);
      digests.offer(key, DigestAlgorithm.CRC32C, n, buffer, fromStore);
      buffer.release();
    }
    store.put(0L, new byte[] {1});
    digests.offer(
        key, DigestAlgorithm.CRC32C, 0, Unpooled.wrappedBuffer(new byte[] {1}), fromStore);

    assertThat(digests.result(key, DigestAlgorithm.CRC32C, 4)).isPresent();
    assertThat(storeReads).as("the chunk over the budget was read back").hasValue(1);
  }
}
