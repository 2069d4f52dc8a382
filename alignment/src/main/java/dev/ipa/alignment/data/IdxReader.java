package dev.ipa.alignment.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads labelled image sets in the IDX format of MNIST and Fashion-MNIST, plain or gzip-compressed. Gzip is
 * recognised by its magic bytes {@code 1f 8b}, not by the file name.
 *
 * <pre>
 * images file                          labels file
 * +-----------------------+            +-----------------------+
 * | 0x00000803  magic     |            | 0x00000801  magic     |
 * | count       int32 BE  |            | count       int32 BE  |
 * | rows        int32 BE  |            +-----------------------+
 * | cols        int32 BE  |            | count x uint8 label   |
 * +-----------------------+            +-----------------------+
 * | count x rows x cols   |
 * | uint8 pixels, row-major
 * +-----------------------+
 * </pre>
 *
 * <p>Every defect (missing, truncated or corrupt file, wrong magic number, trailing bytes, images and labels
 * of different counts) raises a {@link DatasetException} whose message names the file, the problem and the
 * remedy. A partial data set is never returned.
 *
 * <p>Stateless and thread-safe.
 */
public final class IdxReader {
    /** IDX magic for unsigned-byte data with three dimensions: images. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** IDX magic for unsigned-byte data with one dimension: labels. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final String REMEDY = "re-download or regenerate it.";

    private IdxReader() {
    }

    /** Reads an images file and its labels file into one data set named {@code name}. */
    public static Dataset read(String name, Path images, Path labels) {
        try (InputStream im = open(images); InputStream lb = open(labels)) {
            return read(name, fileName(images), im, fileName(labels), lb);
        } catch (IOException e) {
            throw new DatasetException("Closing " + images + " or " + labels + " failed (" + e.getMessage()
                    + "); check the file system.", e);
        }
    }

    /**
     * Reads images and labels from streams, e.g. classpath resources. The file names only label error
     * messages. The streams are read to their end but not closed.
     */
    public static Dataset read(String name, String imagesFile, InputStream images, String labelsFile,
                               InputStream labels) {
        Images im = readImages(imagesFile, images);
        byte[] lb = readLabels(labelsFile, labels);
        if (im.count() != lb.length) {
            throw new DatasetException(imagesFile + " holds " + im.count() + " images but " + labelsFile
                    + " holds " + lb.length + " labels; use the labels file that belongs to these images.");
        }
        return Dataset.adopt(name, im.rows(), im.cols(), im.pixels(), lb);
    }

    /** Decoded contents of an IDX images file; the pixel array is owned by whoever received it. */
    record Images(int count, int rows, int cols, byte[] pixels) {
    }

    static Images readImages(String file, InputStream raw) {
        Opened opened = decompressing(file, raw);
        InputStream in = opened.in();
        byte[] header = new byte[16];
        int got = fill(file, in, header, 0);
        if (got < 4) {
            throw new DatasetException(file + " is truncated: it ends after " + got
                    + " bytes, inside the 16-byte IDX header; " + REMEDY);
        }
        int magic = int32(header, 0);
        if (magic != IMAGES_MAGIC) {
            throw wrongMagic(file, magic, IMAGES_MAGIC, "images");
        }
        if (got < 16) {
            throw new DatasetException(file + " is truncated: it ends after " + got
                    + " bytes, inside the 16-byte IDX header; " + REMEDY);
        }
        int count = int32(header, 4);
        int rows = int32(header, 8);
        int cols = int32(header, 12);
        if (count <= 0 || rows <= 0 || cols <= 0) {
            throw new DatasetException(file + " has a corrupt header: it declares " + Integer.toUnsignedString(count)
                    + " images of " + Integer.toUnsignedString(rows) + "x" + Integer.toUnsignedString(cols)
                    + " pixels, and every figure must be at least 1; " + REMEDY);
        }
        long size = (long) count * rows * cols;
        if (size > Integer.MAX_VALUE - 16) {
            throw new DatasetException(file + " declares " + count + " images of " + rows + "x" + cols + ", "
                    + size + " bytes, more than one Java array can hold; split it into smaller files.");
        }
        byte[] pixels = new byte[(int) size];
        int n = fill(file, in, pixels, 16);
        if (n < pixels.length) {
            throw new DatasetException(file + " is truncated: header promises " + count + " images of " + rows
                    + "x" + cols + " but the file ends after " + (16L + n) + " bytes of the " + (16L + size)
                    + opened.expectedWhat() + "; " + REMEDY);
        }
        requireEnd(file, in, count + " images of " + rows + "x" + cols);
        return new Images(count, rows, cols, pixels);
    }

    static byte[] readLabels(String file, InputStream raw) {
        Opened opened = decompressing(file, raw);
        InputStream in = opened.in();
        byte[] header = new byte[8];
        int got = fill(file, in, header, 0);
        if (got < 4) {
            throw new DatasetException(file + " is truncated: it ends after " + got
                    + " bytes, inside the 8-byte IDX header; " + REMEDY);
        }
        int magic = int32(header, 0);
        if (magic != LABELS_MAGIC) {
            throw wrongMagic(file, magic, LABELS_MAGIC, "labels");
        }
        if (got < 8) {
            throw new DatasetException(file + " is truncated: it ends after " + got
                    + " bytes, inside the 8-byte IDX header; " + REMEDY);
        }
        int count = int32(header, 4);
        if (count <= 0 || count > Integer.MAX_VALUE - 8) {
            throw new DatasetException(file + " has a corrupt header: it declares "
                    + Integer.toUnsignedString(count) + " labels; " + REMEDY);
        }
        byte[] labels = new byte[count];
        int n = fill(file, in, labels, 8);
        if (n < count) {
            throw new DatasetException(file + " is truncated: header promises " + count
                    + " labels but the file ends after " + (8L + n) + " bytes of the " + (8L + count)
                    + opened.expectedWhat() + "; " + REMEDY);
        }
        requireEnd(file, in, count + " labels");
        return labels;
    }

    private static DatasetException wrongMagic(String file, int magic, int expected, String kind) {
        String found = String.format("0x%08X", magic);
        String want = String.format("0x%08X", expected);
        if (magic == IMAGES_MAGIC || magic == LABELS_MAGIC) {
            String other = magic == IMAGES_MAGIC ? "images" : "labels";
            return new DatasetException(file + " is an IDX " + other + " file (magic " + found + ") where "
                    + kind + " (magic " + want + ") were expected; check that the images and labels files are "
                    + "not swapped.");
        }
        int type = (magic >>> 8) & 0xFF;
        if (kind.equals("labels") && (magic >>> 16) == 0 && (magic & 0xFF) == 1
                && (type == 0x0B || type == 0x0C)) {
            return new DatasetException(file + " stores labels as " + (type == 0x0B ? "int16" : "int32")
                    + " (magic " + found + "), which can name more than the " + Dataset.MAX_CLASSES
                    + " classes supported; convert the labels to uint8 (magic " + want + ").");
        }
        return new DatasetException(file + " is not an IDX " + kind + " file: its magic number is " + found
                + " instead of " + want + "; pass an uncorrupted IDX uint8 " + kind + " file.");
    }

    private static void requireEnd(String file, InputStream in, String promise) {
        try {
            if (in.read() != -1) {
                throw new DatasetException(file + " is corrupt: it holds more data than its header promises ("
                        + promise + "); " + REMEDY);
            }
        } catch (IOException e) {
            throw damaged(file, e);
        }
    }

    /**
     * Reads until {@code buf} is full or the stream ends; returns the bytes read. {@code before} is how many
     * bytes preceded {@code buf} in the file, for the message if the gzip stream breaks off.
     */
    private static int fill(String file, InputStream in, byte[] buf, int before) {
        int off = 0;
        try {
            while (off < buf.length) {
                int n = in.read(buf, off, buf.length - off);
                if (n < 0) {
                    break;
                }
                off += n;
            }
            return off;
        } catch (EOFException e) {
            throw new DatasetException(file + " is truncated: its gzip stream breaks off after "
                    + (before + (long) off) + " decompressed bytes; " + REMEDY, e);
        } catch (IOException e) {
            throw damaged(file, e);
        }
    }

    private static DatasetException damaged(String file, IOException e) {
        if (e instanceof ZipException) {
            return new DatasetException(file + " is corrupt: its gzip data cannot be decompressed ("
                    + e.getMessage() + "); " + REMEDY, e);
        }
        return new DatasetException("Reading " + file + " failed (" + e + "); check the file and its "
                + "permissions.", e);
    }

    /** A stream positioned at the IDX header, and whether it is being decompressed. */
    private record Opened(InputStream in, boolean gzip) {
        String expectedWhat() {
            return gzip ? " expected after decompression" : " expected";
        }
    }

    private static Opened decompressing(String file, InputStream raw) {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        try {
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                return new Opened(new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16), true);
            }
            return new Opened(in, false);
        } catch (EOFException e) {
            throw new DatasetException(file + " is truncated: its gzip header is incomplete; " + REMEDY, e);
        } catch (IOException e) {
            throw damaged(file, e);
        }
    }

    private static InputStream open(Path path) {
        try {
            return Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new DatasetException(path + " does not exist; check the path or regenerate the file.", e);
        } catch (IOException e) {
            throw new DatasetException("Opening " + path + " failed (" + e + "); check the file and its "
                    + "permissions.", e);
        }
    }

    private static String fileName(Path p) {
        return p.toString();
    }

    private static int int32(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }
}
