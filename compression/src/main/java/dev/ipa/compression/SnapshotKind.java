package dev.ipa.compression;

/** Whether a message replaces the receiver's view or adds to it. The id is the byte on the wire. */
public enum SnapshotKind {
  /** Replaces the receiver's view; applies whatever it held before, or nothing. */
  FULL(1),
  /** Adds decoded values to the view whose version the message names as its base. */
  DELTA(2);

  private final int wireId;

  SnapshotKind(int wireId) {
    this.wireId = wireId;
  }

  int wireId() {
    return wireId;
  }

  static SnapshotKind fromWireId(int id) {
    return id == 1 ? FULL : id == 2 ? DELTA : null;
  }
}
