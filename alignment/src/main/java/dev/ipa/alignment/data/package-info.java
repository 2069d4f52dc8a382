/**
 * Labelled image data for IPA: reading IDX files, holding a data set in memory, and finding Fashion-MNIST.
 *
 * <h2>Entry points</h2>
 * <ul>
 *   <li>{@link dev.ipa.alignment.data.FashionMnist#load(java.nio.file.Path)} resolves the data in this order:
 *       the {@code --data DIR} flag, {@code $IPA_DATA}, {@code /usr/share/datasets/fashion-mnist} (Debian
 *       package {@code dataset-fashion-mnist}), then the embedded subset. A directory the user named must be
 *       complete; the loader never falls back behind the user's back.</li>
 *   <li>{@link dev.ipa.alignment.data.TrainTest} pairs a training and a test set; its {@code describe()} is
 *       the line to log ("Fashion-MNIST from ...: 60000 train, 10000 test, 28x28, 10 classes").</li>
 *   <li>{@link dev.ipa.alignment.data.Dataset} holds uint8 pixels and labels. Shapes and the class count come
 *       from the files. {@code features(indices, from, to, out)} fills a float batch with
 *       {@code pixel / 255f} without allocating: the hot path for training batches.</li>
 *   <li>{@link dev.ipa.alignment.data.IdxReader} reads IDX images ({@code 0x00000803}) and labels
 *       ({@code 0x00000801}), plain or gzip (recognised by magic bytes).</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * Any unusable file raises {@link dev.ipa.alignment.data.DatasetException}, unchecked, with one sentence
 * naming the file, the problem and the remedy. A partial data set is never returned.
 *
 * <h2>Embedded subset</h2>
 * {@code fashion-mnist-subset/} on the classpath holds 9,000 training images (900 per class) and 2,000 test
 * images (200 per class) of Fashion-MNIST (Zalando Research; MIT License, copyright (c) 2017 Zalando SE; see
 * the LICENSE and README there), 4,811,175 bytes. {@code scripts/make-embedded-subset.py} regenerates it
 * byte for byte. 10,000 training images would have taken 5,245,524 bytes, over the 5 MB budget.
 *
 * <h2>Threading</h2>
 * Data sets and {@code TrainTest} are immutable and may be shared between threads freely. The reader and the
 * locator keep no state; each call reads the files again.
 *
 * <h2>Dependencies</h2>
 * JDK only. Nothing here depends on ND4J, the model, the trainer or the transport.
 */
package dev.ipa.alignment.data;
