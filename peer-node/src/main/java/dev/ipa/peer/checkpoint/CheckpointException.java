package dev.ipa.peer.checkpoint;

/** A checkpoint file that cannot be used: truncated, failing its checksum, or of an unknown format. */
public final class CheckpointException extends Exception {
  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
