package dev.ipa.compression;

import java.util.Objects;

/**
 * The registry from {@link CodecSpec} to {@link Codec}. Every codec is a small immutable object, so this simply
 * builds the one the spec names; it holds no state and is safe from any thread.
 */
public final class Codecs {
  private static final Codec NONE = new Fp32Codec();
  private static final Codec FP16 = new Fp16Codec();

  private Codecs() {}

  /** The codec a spec names. */
  public static Codec of(CodecSpec spec) {
    Objects.requireNonNull(spec, "A codec spec must not be null.");
    return switch (spec.kind()) {
      case NONE -> NONE;
      case FP16 -> FP16;
      case INT8 -> new Int8Codec(spec.parameter());
      case SIGN -> new SignCodec(spec.parameter());
      case TILE -> new TiledSignCodec(spec.parameter());
      case TOPK -> new TopKCodec(spec.fraction());
    };
  }

  /** Shorthand for {@code of(CodecSpec.parse(spec))}. */
  public static Codec parse(String spec) {
    return of(CodecSpec.parse(spec));
  }

  static void requireLength(Codec codec, int srcLen, int n) {
    int expected = codec.maxEncodedSize(n);
    if (srcLen != expected) {
      throw new CorruptSnapshotException("A " + codec.spec() + " payload for " + n + " values must be " + expected
          + " bytes, but it is " + srcLen + " bytes.");
    }
  }
}
