package dev.ipa.compression;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Little-endian loads and stores on byte arrays; the wire format is little-endian throughout. */
final class LittleEndian {
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

  private LittleEndian() {}

  static long getLong(byte[] b, int off) {
    return (long) LONG.get(b, off);
  }

  static void putLong(byte[] b, int off, long v) {
    LONG.set(b, off, v);
  }

  static int getInt(byte[] b, int off) {
    return (int) INT.get(b, off);
  }

  static void putInt(byte[] b, int off, int v) {
    INT.set(b, off, v);
  }

  static float getFloat(byte[] b, int off) {
    return Float.intBitsToFloat((int) INT.get(b, off));
  }

  static void putFloat(byte[] b, int off, float v) {
    INT.set(b, off, Float.floatToRawIntBits(v));
  }

  static int getUnsignedShort(byte[] b, int off) {
    return ((short) SHORT.get(b, off)) & 0xFFFF;
  }

  static void putShort(byte[] b, int off, int v) {
    SHORT.set(b, off, (short) v);
  }

  /** Reads {@code count} (0..8) bytes as the low bytes of a little-endian long. */
  static long getPartialLong(byte[] b, int off, int count) {
    long v = 0;
    for (int i = 0; i < count; i++) {
      v |= (b[off + i] & 0xFFL) << (8 * i);
    }
    return v;
  }

  /** Writes the low {@code count} (0..8) bytes of {@code v}, little-endian. */
  static void putPartialLong(byte[] b, int off, long v, int count) {
    for (int i = 0; i < count; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }
}
