package dev.ipa.alignment.data;

import java.util.Objects;

/**
 * A labelled set of images held in memory as unsigned bytes: {@code count} images of {@code rows x cols} pixels
 * of {@code channels} values each (1: grey, 3: RGB), and one class label in {@code [0, numClasses)} per image.
 * Channels are interleaved (HWC, the NHWC layout the convolutions read), so a grey image is plain row-major:
 *
 * <pre>
 * pixels: | image 0: row 0 (cols x channels bytes: px0 R G B, px1 R G B, ...) | row 1 | ... | image count-1 |
 * labels: | y0 | y1 | ... | y(count-1) |          each byte read as unsigned, 0..255
 * </pre>
 *
 * <p>Shapes come from the data, never from constants: a 28x28 ten-class set and a 32x32 three-class set go
 * through the same code.
 *
 * <p>Immutable: the arrays are copied on the way in and out and never written after construction, so any
 * number of threads may read one instance without synchronisation. The batch method
 * {@link #features(int[], int, int, float[])} is the hot path for building training batches; it writes into
 * the caller's buffer and allocates nothing.
 */
public final class Dataset {
    /** Most classes a uint8 label can name. */
    public static final int MAX_CLASSES = 256;

    private static final float[] SCALE = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            SCALE[v] = v / 255f;
        }
    }

    private final String name;
    private final int channels;
    private final int rows;
    private final int cols;
    private final int featureSize;
    private final int numClasses;
    private final int count;
    private final byte[] pixels;
    /** Encoded features of a table, {@code count * featureSize} floats; null for an image set. */
    private final float[] values;
    private final byte[] labels;

    /** Takes ownership of the arrays: callers inside the package pass arrays nobody else holds. */
    private Dataset(String name, int channels, int rows, int cols, int numClasses, byte[] pixels, byte[] labels) {
        this(name, channels, rows, cols, numClasses, pixels, null, labels);
    }

    private Dataset(String name, int channels, int rows, int cols, int numClasses, byte[] pixels, float[] values, byte[] labels) {
        this.name = Objects.requireNonNull(name, "name");
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("Images have 1 (grey) or 3 (RGB) channels, but " + name + " has " + channels + ".");
        }
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("A data set needs images of at least 1x1 pixels, but " + name
                    + " has " + rows + "x" + cols + ".");
        }
        if ((long) channels * rows * cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Images of " + rows + "x" + cols + " in " + name
                    + " have more pixels than a Java array can hold.");
        }
        this.channels = channels;
        this.rows = rows;
        this.cols = cols;
        this.featureSize = channels * rows * cols;
        this.count = labels.length;
        if (values != null && (long) count * featureSize != values.length) {
            throw new IllegalArgumentException(name + " has " + count + " labels, which needs "
                    + (long) count * featureSize + " feature values of width " + cols + ", but "
                    + values.length + " were given.");
        }
        if (values == null && (long) count * featureSize != pixels.length) {
            throw new IllegalArgumentException(name + " has " + count + " labels, which needs "
                    + (long) count * featureSize + " pixel bytes of " + shape() + " images, but "
                    + pixels.length + " were given.");
        }
        int maxLabel = -1;
        for (byte b : labels) {
            maxLabel = Math.max(maxLabel, b & 0xFF);
        }
        if (numClasses < 1 || numClasses > MAX_CLASSES) {
            throw new IllegalArgumentException(name + " needs between 1 and " + MAX_CLASSES
                    + " classes, but " + numClasses + " were given.");
        }
        if (maxLabel >= numClasses) {
            throw new IllegalArgumentException(name + " has label " + maxLabel + ", which does not fit "
                    + numClasses + " classes; give at least " + (maxLabel + 1) + " classes.");
        }
        this.numClasses = numClasses;
        this.pixels = pixels;
        this.values = values;
        this.labels = labels;
    }

    /**
     * A table's encoded rows: {@code count} feature vectors of {@code width} floats each, row after row, used as
     * they are (no scaling). Shaped 1 x width, so the MLP sees {@code width} inputs. Takes ownership of both
     * arrays: the encoder hands over arrays nobody else holds, so a large table is not copied.
     */
    public static Dataset adoptFeatures(String name, int width, int numClasses, float[] values, byte[] labels) {
        return new Dataset(name, 1, 1, width, numClasses, null, values, labels);
    }

    /** Whether this set holds encoded table features rather than image pixels. */
    public boolean isTable() {
        return values != null;
    }

    /** The same features with other labels (e.g. flipped by a simulated attacker); {@code labels} is copied. */
    public Dataset withLabels(byte[] labels) {
        if (labels.length != count) {
            throw new IllegalArgumentException(name + " has " + count + " samples but " + labels.length + " labels were given.");
        }
        return new Dataset(name, channels, rows, cols, numClasses, pixels, values, labels.clone());
    }

    /**
     * A data set whose number of classes is the largest label plus one.
     *
     * @param pixels {@code count * rows * cols} unsigned bytes, image after image, row-major; copied
     * @param labels {@code count} unsigned bytes; copied
     */
    public static Dataset of(String name, int rows, int cols, byte[] pixels, byte[] labels) {
        return of(name, rows, cols, maxLabelPlusOne(labels), pixels, labels);
    }

    /** A data set whose number of classes comes from metadata; it must exceed every label. */
    public static Dataset of(String name, int rows, int cols, int numClasses, byte[] pixels, byte[] labels) {
        return of(name, 1, rows, cols, numClasses, pixels, labels);
    }

    /**
     * A data set of {@code channels}-channel images (1 or 3), channels interleaved, whose number of classes comes
     * from metadata.
     */
    public static Dataset of(String name, int channels, int rows, int cols, int numClasses, byte[] pixels, byte[] labels) {
        return new Dataset(name, channels, rows, cols, numClasses, pixels.clone(), labels.clone());
    }

    /** For the reader, which hands over arrays it allocated itself: no 47 MB copy. */
    static Dataset adopt(String name, int rows, int cols, byte[] pixels, byte[] labels) {
        return new Dataset(name, 1, rows, cols, maxLabelPlusOne(labels), pixels, labels);
    }

    /** For the image-folder reader, which hands over arrays it allocated itself. */
    static Dataset adopt(String name, int channels, int rows, int cols, int numClasses, byte[] pixels, byte[] labels) {
        return new Dataset(name, channels, rows, cols, numClasses, pixels, labels);
    }

    private static int maxLabelPlusOne(byte[] labels) {
        int max = 0;
        for (byte b : labels) {
            max = Math.max(max, (b & 0xFF) + 1);
        }
        return Math.max(max, 1);
    }

    /** The same images and labels declared to have {@code numClasses} classes, e.g. to match a test set. */
    public Dataset withNumClasses(int numClasses) {
        return numClasses == this.numClasses ? this
                : new Dataset(name, channels, rows, cols, numClasses, pixels, values, labels);
    }

    /** The same images and classes with every label replaced by {@code relabel[label]} (e.g. flipped labels). */
    public Dataset relabelled(String newName, int[] relabel) {
        byte[] l = new byte[count];
        for (int i = 0; i < count; i++) l[i] = (byte) relabel[labels[i] & 0xFF];
        return new Dataset(newName, channels, rows, cols, numClasses, pixels, values, l);
    }

    public String name() {
        return name;
    }

    /** Values per pixel: 1 for grey (IDX, grey image folders), 3 for RGB. */
    public int channels() {
        return channels;
    }

    /** The image shape, e.g. {@code 28x28} for grey or {@code 32x32x3} for RGB. */
    public String shape() {
        return rows + "x" + cols + (channels == 1 ? "" : "x" + channels);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Number of classes; labels lie in {@code [0, numClasses)}. At most {@value #MAX_CLASSES}. */
    public int numClasses() {
        return numClasses;
    }

    /** Number of images (and labels). */
    public int count() {
        return count;
    }

    /** Values per image, {@code channels * rows * cols}: the length of one feature vector. */
    public int featureSize() {
        return featureSize;
    }

    /** The class of image {@code i}, in {@code [0, numClasses)}. */
    public int label(int i) {
        return labels[Objects.checkIndex(i, count)] & 0xFF;
    }

    /** A copy of all labels, one unsigned byte per image. */
    public byte[] labels() {
        return labels.clone();
    }

    /** All labels as ints, the form the partitioners take. */
    public int[] labelsAsInts() {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = labels[i] & 0xFF;
        }
        return out;
    }

    /** A copy of all pixels, {@code count * featureSize()} unsigned bytes; use {@link #features} in loops. */
    public byte[] pixels() {
        requireImages();
        return pixels.clone();
    }

    /** Pixel {@code (r, c)} of image {@code i} as an unsigned value 0..255 (its first channel). */
    public int pixel(int i, int r, int c) {
        return pixel(i, r, c, 0);
    }

    /** Channel {@code ch} of pixel {@code (r, c)} of image {@code i} as an unsigned value 0..255. */
    public int pixel(int i, int r, int c, int ch) {
        requireImages();
        Objects.checkIndex(r, rows);
        Objects.checkIndex(c, cols);
        Objects.checkIndex(ch, channels);
        return pixels[Objects.checkIndex(i, count) * featureSize + (r * cols + c) * channels + ch] & 0xFF;
    }

    /**
     * Writes the images {@code indices[from..to)} as a row-major batch of {@code (to - from) x featureSize()}
     * floats, each pixel scaled to {@code pixel / 255f}, into {@code out[0 .. (to - from) * featureSize())}.
     * Entries of {@code out} beyond that are left untouched, so one buffer serves a short last batch too.
     * Allocates nothing.
     *
     * @throws IndexOutOfBoundsException if the range or a sample index is out of bounds
     * @throws IllegalArgumentException if {@code out} is too short for the batch
     */
    public void features(int[] indices, int from, int to, float[] out) {
        Objects.checkFromToIndex(from, to, indices.length);
        int f = featureSize;
        if ((long) (to - from) * f > out.length) {
            throw new IllegalArgumentException("A batch of " + (to - from) + " images of " + f
                    + " features needs " + (long) (to - from) * f + " floats, but the buffer holds "
                    + out.length + ".");
        }
        int o = 0;
        if (values != null) {
            for (int k = from; k < to; k++) {
                System.arraycopy(values, Objects.checkIndex(indices[k], count) * f, out, o, f);
                o += f;
            }
            return;
        }
        for (int k = from; k < to; k++) {
            int p = Objects.checkIndex(indices[k], count) * f;
            for (int j = 0; j < f; j++) {
                out[o++] = SCALE[pixels[p + j] & 0xFF];
            }
        }
    }

    /**
     * Writes the labels of images {@code indices[from..to)} into {@code out[0 .. to - from)}. Allocates
     * nothing.
     */
    public void labels(int[] indices, int from, int to, int[] out) {
        Objects.checkFromToIndex(from, to, indices.length);
        if (to - from > out.length) {
            throw new IllegalArgumentException("A batch of " + (to - from) + " labels needs " + (to - from)
                    + " ints, but the buffer holds " + out.length + ".");
        }
        for (int k = from; k < to; k++) {
            out[k - from] = labels[Objects.checkIndex(indices[k], count)] & 0xFF;
        }
    }

    /**
     * The images at {@code indices}, in that order, as a new data set with the same name, shape and number of
     * classes (a subset that lacks some classes still has {@code numClasses()} of its parent).
     */
    public Dataset subset(int[] indices) {
        if (values != null) {
            float[] v = new float[Math.multiplyExact(indices.length, featureSize)];
            byte[] l = new byte[indices.length];
            for (int k = 0; k < indices.length; k++) {
                int i = Objects.checkIndex(indices[k], count);
                System.arraycopy(values, i * featureSize, v, k * featureSize, featureSize);
                l[k] = labels[i];
            }
            return new Dataset(name, channels, rows, cols, numClasses, null, v, l);
        }
        byte[] p = new byte[Math.multiplyExact(indices.length, featureSize)];
        byte[] l = new byte[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = Objects.checkIndex(indices[k], count);
            System.arraycopy(pixels, i * featureSize, p, k * featureSize, featureSize);
            l[k] = labels[i];
        }
        return new Dataset(name, channels, rows, cols, numClasses, p, l);
    }

    /** How many images each class has; the array has {@code numClasses()} entries. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (byte b : labels) {
            counts[b & 0xFF]++;
        }
        return counts;
    }

    private void requireImages() {
        if (values != null) {
            throw new IllegalStateException(name + " holds encoded table features, not pixels.");
        }
    }

    @Override
    public String toString() {
        if (values != null) {
            return name + ": " + count + " rows of " + cols + " encoded features, " + numClasses + " classes";
        }
        return name + ": " + count + " images of " + shape() + ", " + numClasses + " classes";
    }
}
