package dev.asyncrl.runtime;

import dev.asyncrl.core.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;

/**
 * An exclusive lock on a run folder for one role ({@code <run>/.trainer.lock}, {@code <run>/.launch.lock}):
 * one process writes a run's checkpoints and ledger, and one launcher supervises it. The operating system
 * releases the lock when its holder dies, however it dies. The file names the holder (pid, host, since
 * when) so a refused process can say who holds it.
 */
public final class RunLock implements AutoCloseable {

  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code role} on {@code runDir}, waiting up to {@code patience} for a holder that is
   * exiting (a relaunch right after the launcher died: its children stop within a second).
   *
   * @throws BadInputException naming the holder when the lock stays taken
   */
  public static RunLock acquire(Path runDir, String role, Duration patience) {
    Path file = runDir.resolve("." + role + ".lock");
    long deadline = System.nanoTime() + patience.toNanos();
    try {
      Files.createDirectories(runDir);
      FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      while (true) {
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
          lock = null;
        }
        if (lock != null) {
          channel.truncate(0);
          channel.write(ByteBuffer.wrap(holder(role).getBytes(StandardCharsets.UTF_8)), 0);
          channel.force(false);
          return new RunLock(channel, lock);
        }
        if (System.nanoTime() > deadline) {
          String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
          channel.close();
          throw new BadInputException("run folder " + runDir + " is in use by " + (holder.isEmpty() ? "another process"
              : holder) + " (lock " + file + "); stop it first, or give this run another folder");
        }
        Thread.sleep(200);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock run folder " + runDir + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the lock on " + runDir, e);
    }
  }

  private static String holder(String role) {
    return "asyncrl " + role + " pid " + ProcessHandle.current().pid() + " on " + HostName.get() + " since "
        + Instant.now();
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
