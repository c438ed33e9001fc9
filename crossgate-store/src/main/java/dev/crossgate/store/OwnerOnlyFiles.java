package dev.crossgate.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and directories only their owner can read: a data dir holds the configuration database,
 * generated secrets, node snapshots (routes, tenant key hashes) and transfer chunks (callers'
 * data). Directories are created 700 and files 600 whatever the process umask, and {@link
 * #restrict} tightens what an earlier version or another tool (H2 creates its own files) left with
 * wider modes. Java cannot set the process umask; the directory's 700 is what keeps such files
 * private until the next start tightens them. On a file system without POSIX permissions every
 * method falls back to the plain operation. Blocking: call from a worker thread or before the event
 * loops start.
 */
public final class OwnerOnlyFiles {
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private OwnerOnlyFiles() {}

  /**
   * Creates {@code dir} and its missing parents, each new one 700; existing ones keep their mode.
   */
  public static Path createDirectories(Path dir) throws IOException {
    return POSIX
        ? Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY))
        : Files.createDirectories(dir);
  }

  /** The attributes that create a file as 600 ({@code FileChannel.open(path, options, attrs)}). */
  public static FileAttribute<?>[] fileAttributes() {
    return POSIX
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)}
        : new FileAttribute<?>[0];
  }

  /** Opens {@code file} for writing with {@code options}; a file it creates is 600. */
  public static FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException {
    return FileChannel.open(file, options, fileAttributes());
  }

  /** Writes {@code bytes} to {@code file} (created or truncated), leaving it 600. */
  public static void write(Path file, byte[] bytes) throws IOException {
    write(file, out -> out.write(bytes));
  }

  /** Writes a file's content to a stream; {@link #write(Path, Content)} closes it. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Streams {@code content} to {@code file} (created or truncated) through a buffer, leaving it
   * 600: for files of many megabytes, which as one byte array would be a humongous allocation.
   */
  public static void write(Path file, Content content) throws IOException {
    try (var out =
        new BufferedOutputStream(
            Channels.newOutputStream(
                open(
                    file,
                    Set.of(
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING))),
            64 * 1024)) {
      content.writeTo(out);
    }
    if (POSIX) {
      Files.setPosixFilePermissions(file, FILE); // an existing file keeps its mode on open
    }
  }

  /**
   * Makes {@code root} (created if missing) and every directory below it 700 and every regular file
   * 600. Symbolic links are not followed: what they point to is someone else's to protect.
   *
   * @return how many entries had a wider mode
   */
  public static int restrict(Path root) throws IOException {
    createDirectories(root);
    if (!POSIX) {
      return 0;
    }
    int[] changed = {0};
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            changed[0] += set(dir, DIRECTORY);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (attrs.isRegularFile()) {
              changed[0] += set(file, FILE);
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return changed[0];
  }

  /** True when group or others may read {@code file} (always false without POSIX permissions). */
  public static boolean readableByOthers(Path file) throws IOException {
    if (!POSIX) {
      return false;
    }
    var permissions = Files.getPosixFilePermissions(file);
    return permissions.contains(PosixFilePermission.GROUP_READ)
        || permissions.contains(PosixFilePermission.OTHERS_READ);
  }

  private static int set(Path path, Set<PosixFilePermission> wanted) throws IOException {
    if (Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS).equals(wanted)) {
      return 0;
    }
    Files.setPosixFilePermissions(path, wanted);
    return 1;
  }
}
