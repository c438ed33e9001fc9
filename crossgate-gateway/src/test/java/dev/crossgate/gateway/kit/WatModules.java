package dev.crossgate.gateway.kit;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.nio.charset.StandardCharsets;

/**
 * WebAssembly extension modules for tests, written in WAT here and assembled at test time (no
 * binary is committed). Each is a WASI command: {@code _start} writes its answer to stdout.
 */
public final class WatModules {
  private WatModules() {}

  /** A module that answers {@code json} whatever it is asked. */
  public static byte[] answering(String json) {
    var bytes = json.getBytes(StandardCharsets.UTF_8);
    var escaped = new StringBuilder();
    for (byte b : bytes) {
      escaped.append(String.format("\\%02x", b & 0xff));
    }
    return Wat2Wasm.parse(
        """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 64) "%s")
          (func (export "_start")
            ;; one iovec at 0: the answer at 64, %d bytes; bytes written go to 8
            (i32.store (i32.const 0) (i32.const 64))
            (i32.store (i32.const 4) (i32.const %d))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
        """
            .formatted(escaped, bytes.length, bytes.length));
  }

  /** A module asking for {@code pages} pages of memory before it runs. */
  public static byte[] needingPages(int pages) {
    return Wat2Wasm.parse(
        "(module (memory (export \"memory\") " + pages + ") (func (export \"_start\")))");
  }

  /** A module that traps at once. */
  public static byte[] trapping() {
    return Wat2Wasm.parse(
        """
        (module
          (memory (export "memory") 1)
          (func (export "_start") unreachable))
        """);
  }

  /** A module that never returns. */
  public static byte[] looping() {
    return Wat2Wasm.parse(
        """
        (module
          (memory (export "memory") 1)
          (func (export "_start") (loop $forever (br $forever))))
        """);
  }
}
