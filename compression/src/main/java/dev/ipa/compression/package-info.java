/**
 * Parameter codecs and the delta streams that carry a peer's parameters to its neighbours.
 *
 * <p>Entry points: {@link dev.ipa.compression.SnapshotEncoder} (one per outgoing stream) and
 * {@link dev.ipa.compression.SnapshotDecoder} (one per sender), configured by a
 * {@link dev.ipa.compression.CodecPolicy} over a {@link dev.ipa.compression.TensorLayout}. Codecs themselves
 * ({@link dev.ipa.compression.Codec}, built by {@link dev.ipa.compression.Codecs} from a
 * {@link dev.ipa.compression.CodecSpec}) are pure functions over float arrays.
 *
 * <p>This package is pure Java: no I/O, threads, clocks, networking or third-party libraries.
 */
package dev.ipa.compression;
