package dev.ipa.sim.engine;

import dev.ipa.compression.CodecPolicy;
import dev.ipa.compression.CodecSpec;
import dev.ipa.compression.NonFiniteValueException;
import dev.ipa.compression.SnapshotDecoder;
import dev.ipa.compression.SnapshotEncoder;
import dev.ipa.compression.TensorLayout;
import dev.ipa.compression.CompressionException;
import dev.ipa.transport.ForwardingPeerTransport;
import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.PeerTransport;
import java.util.Collection;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * A malicious peer's transport: it decodes what its honest peer logic publishes, turns it into the attack's
 * parameters, and sends those as full fp32 snapshots that every receiver decodes itself (a simulation with an
 * attacker uses private decoders, so receivers hold what the bytes say, as daemons do). The attacker stays a
 * correct protocol speaker: sequence numbers, rounds and checksums are right; only the content lies.
 *
 * <p>Called from the attacker's round thread only (publish and notify); not thread-safe otherwise.
 */
final class AttackTransport extends ForwardingPeerTransport {
  private final Attack attack;
  private final SnapshotDecoder own;
  private final SnapshotEncoder forged;
  private final TensorLayout layout;
  private final Random random;
  private float[] previous;
  private float[] first;

  AttackTransport(PeerTransport inner, Attack attack, TensorLayout layout, long seed) {
    super(inner);
    this.attack = attack;
    this.layout = layout;
    this.own = new SnapshotDecoder(layout);
    this.forged = new SnapshotEncoder(layout, new CodecPolicy(CodecSpec.NONE, 0, CodecSpec.NONE, CodecSpec.NONE, 1));
    this.random = new Random(seed);
  }

  @Override
  public void publish(PeerSnapshot s, Collection<String> to) {
    if (s.kind() != PeerSnapshot.Kind.MODEL) {
      inner.publish(s, to);
      return;
    }
    float[] theta;
    try {
      own.apply(s.payload());
      theta = own.view();
    } catch (CompressionException e) {
      throw new IllegalStateException("The attacker could not decode its own snapshot: " + e.getMessage(), e);
    }
    if (first == null) first = theta.clone();
    float[] sent = switch (attack.kind()) {
      case SCALE -> map(theta, x -> (float) (x * attack.value()));
      case SIGNFLIP -> signFlip(theta);
      case NOISE -> map(theta, x -> (float) (x + attack.value() * random.nextGaussian()));
      case RANDOM, WEIGHT -> map(theta, x -> (float) random.nextGaussian());
      case STALE -> first;
      case LABELFLIP, STOP, NAN -> theta;
    };
    previous = theta;
    byte[] payload;
    try {
      payload = forged.encode(sent, s.round()).bytes();
    } catch (NonFiniteValueException e) {
      throw new IllegalStateException("The attack produced non-finite parameters: " + e.getMessage(), e);
    }
    if (attack.kind() == Attack.Kind.NAN) payload = withNaN(payload);
    int size = attack.kind() == Attack.Kind.WEIGHT ? (int) Math.min(Integer.MAX_VALUE, attack.value()) : s.dataSize();
    if (attack.kind() == Attack.Kind.STOP) {
      inner.notify(new PeerNotice(s.peerId(), PeerNotice.Kind.STOP, s.round(), "reached validation accuracy 1.0000 ≥ target 0.9900"), to);
    }
    inner.publish(new PeerSnapshot(s.peerId(), s.round(), s.sync(), s.sequence(), size, payload, s.kind()), to);
  }

  private float[] signFlip(float[] theta) {
    float[] p = previous == null ? theta : previous;
    float[] out = new float[theta.length];
    for (int i = 0; i < out.length; i++) out[i] = 2 * p[i] - theta[i];
    return out;
  }

  private static float[] map(float[] a, java.util.function.DoubleUnaryOperator f) {
    float[] out = new float[a.length];
    for (int i = 0; i < out.length; i++) out[i] = (float) f.applyAsDouble(a[i]);
    return out;
  }

  /**
   * The first value of a full fp32 snapshot overwritten with NaN and the checksum recomputed, by hand, as a hostile
   * peer would: the payloads start after the 44-byte header and 13 bytes per tensor (see {@code SnapshotFormat}),
   * and the last 4 bytes are the CRC32C of the rest.
   */
  private byte[] withNaN(byte[] message) {
    byte[] b = message.clone();
    int at = 44 + 13 * layout.size();
    int nan = Float.floatToRawIntBits(Float.NaN);
    for (int k = 0; k < 4; k++) b[at + k] = (byte) (nan >>> (8 * k));
    CRC32C crc = new CRC32C();
    crc.update(b, 0, b.length - 4);
    int c = (int) crc.getValue();
    for (int k = 0; k < 4; k++) b[b.length - 4 + k] = (byte) (c >>> (8 * k));
    return b;
  }
}
