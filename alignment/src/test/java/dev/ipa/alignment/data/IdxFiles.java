package dev.ipa.alignment.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds tiny IDX files for tests. */
final class IdxFiles {
    private IdxFiles() {
    }

    static byte[] images(int count, int rows, int cols, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length).putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows)
                .putInt(cols).put(pixels).array();
    }

    static byte[] labels(byte[] labels) {
        return ByteBuffer.allocate(8 + labels.length).putInt(IdxReader.LABELS_MAGIC).putInt(labels.length)
                .put(labels).array();
    }

    /** Pixel {@code j} of image {@code i} is {@code (i * 31 + j * 7) mod 256}: distinct across images. */
    static byte[] pixels(int count, int rows, int cols) {
        byte[] p = new byte[count * rows * cols];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < rows * cols; j++) {
                p[i * rows * cols + j] = (byte) (i * 31 + j * 7);
            }
        }
        return p;
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path write(Path dir, String name, byte[] data) {
        try {
            return Files.write(dir.resolve(name), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the four Fashion-MNIST file names into {@code dir}, gzip-compressed or plain: {@code train}
     * images of 2x3 pixels with labels {@code i mod classes}, and {@code test} images likewise.
     */
    static Path writeFourFiles(Path dir, int train, int test, int classes, boolean gz) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writePair(dir, "train", train, classes, gz);
        writePair(dir, "t10k", test, classes, gz);
        return dir;
    }

    static void writePair(Path dir, String prefix, int count, int classes, boolean gz) {
        byte[] lb = new byte[count];
        for (int i = 0; i < count; i++) {
            lb[i] = (byte) (i % classes);
        }
        byte[] im = images(count, 2, 3, pixels(count, 2, 3));
        byte[] lf = labels(lb);
        String suffix = gz ? ".gz" : "";
        write(dir, prefix + "-images-idx3-ubyte" + suffix, gz ? gzip(im) : im);
        write(dir, prefix + "-labels-idx1-ubyte" + suffix, gz ? gzip(lf) : lf);
    }
}
