package dev.crossgate.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.store.transfer.ChunkStore;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChunkBuffersTest {
  private static final int CHUNK = 1 << 20;

  private final ChunkBuffers buffers = new ChunkBuffers();

  @AfterEach
  void freeKeptBuffers() {
    buffers.close();
  }

  @Test
  void aBufferGivenBackIsReusedClearedAndAlignedForTheNextChunkOfItsSize() {
    var first = buffers.take(CHUNK);
    first.writeBytes(new byte[CHUNK]);

    buffers.giveBack(first);
    var second = buffers.take(CHUNK);
    var otherSize = buffers.take(CHUNK / 2);

    assertThat(second).isSameAs(first);
    assertThat(second.readableBytes()).isZero();
    assertThat(second.writableBytes()).isEqualTo(CHUNK);
    assertThat(second.memoryAddress() % ChunkStore.BLOCK).isZero();
    assertThat(otherSize).isNotSameAs(first);
    assertThat(otherSize.capacity()).isEqualTo(CHUNK / 2);
    buffers.giveBack(second);
    buffers.giveBack(otherSize);
  }

  @Test
  void aBufferAnEarlyChunkStillHoldsIsNeverHandedOutAgain() {
    var body = buffers.take(CHUNK);
    body.writeBytes(filled(CHUNK, (byte) 7));
    var early = body.retainedSlice(); // RunningDigests keeps a chunk that arrived early

    buffers.giveBack(body);
    var next = buffers.take(CHUNK);
    next.writeBytes(filled(CHUNK, (byte) 9));

    assertThat(next).isNotSameAs(body);
    assertThat(early.getByte(0)).isEqualTo((byte) 7);
    assertThat(early.getByte(CHUNK - 1)).isEqualTo((byte) 7);
    assertThat(buffers.idleCount()).isZero();
    early.release();
    assertThat(body.refCnt()).as("the last holder frees it").isZero();
    buffers.giveBack(next);
  }

  @Test
  void atMostTheIdleBytesAreKeptAndTheOldestAreFreed() {
    int size = (int) (ChunkBuffers.IDLE_BYTES / 2);
    var taken = new ArrayList<ByteBuf>();
    for (int i = 0; i < 3; i++) {
      taken.add(buffers.take(size));
    }

    taken.forEach(buffers::giveBack);

    assertThat(buffers.idleCount()).isEqualTo(2);
    assertThat(taken.get(0).refCnt()).as("the first given back was freed").isZero();
    assertThat(taken.subList(1, 3)).allSatisfy(b -> assertThat(b.refCnt()).isOne());
  }

  @Test
  void aBufferLargerThanTheIdleBoundIsFreedAtOnce() {
    var large = buffers.take((int) ChunkBuffers.IDLE_BYTES + ChunkStore.BLOCK);

    buffers.giveBack(large);

    assertThat(buffers.idleCount()).isZero();
    assertThat(large.refCnt()).isZero();
  }

  @Test
  void afterCloseBuffersGivenBackAreFreed() {
    var held = buffers.take(CHUNK);
    buffers.giveBack(buffers.take(CHUNK));

    buffers.close();
    buffers.giveBack(held);

    assertThat(buffers.idleCount()).isZero();
    assertThat(held.refCnt()).isZero();
  }

  private static byte[] filled(int size, byte value) {
    var bytes = new byte[size];
    java.util.Arrays.fill(bytes, value);
    return bytes;
  }
}
