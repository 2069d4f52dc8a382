package dev.ipa.alignment.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A layer's scratch arrays, kept per batch size. A peer alternates between a few sizes every round (the training
 * batch, the last partial batch of an epoch, the evaluation batch of 500, the validation split); allocating anew
 * at each switch made every round allocate and drop megabytes of native ND4J memory, which the C allocator kept
 * and fragmented (RSS grew by about 0.3 MiB per round over a 500-round soak, see {@code ipa bench soak}). The
 * {@value #SIZES} most recently used sizes are kept; an older one is dropped and allocated again if it returns.
 *
 * <p>Not thread-safe, like the layer that owns it.
 */
final class PerBatch<T> {
  static final int SIZES = 6;

  private final IntFunction<T> allocate;
  private final Map<Integer, T> bySize = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Integer, T> eldest) {
      return size() > SIZES;
    }
  };
  private int lastSize = -1;
  private T last;

  PerBatch(IntFunction<T> allocate) {
    this.allocate = allocate;
  }

  /** The scratch for {@code batch} rows, allocated on first use of that size. */
  T get(int batch) {
    if (batch != lastSize) {
      last = bySize.computeIfAbsent(batch, allocate::apply);
      lastSize = batch;
    }
    return last;
  }
}
