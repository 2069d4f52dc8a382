package dev.ipa.alignment.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    private static final byte[] LABELS = {2, 0, 1, 2};
    private static final byte[] PIXELS = IdxFiles.pixels(4, 3, 5);

    private Path goodImages(String name, boolean gz) {
        byte[] data = IdxFiles.images(4, 3, 5, PIXELS);
        return IdxFiles.write(dir, name, gz ? IdxFiles.gzip(data) : data);
    }

    private Path goodLabels(String name, boolean gz) {
        byte[] data = IdxFiles.labels(LABELS);
        return IdxFiles.write(dir, name, gz ? IdxFiles.gzip(data) : data);
    }

    /** The message is one sentence naming the file and saying what to do. */
    private static void assertOneSentenceAbout(Throwable e, Path file, String problem) {
        String m = e.getMessage();
        assertThat(m).contains(file.toString()).contains(problem).contains("; ").endsWith(".").doesNotContain("\n");
        assertThat(m.substring(0, m.length() - 1)).doesNotContainPattern("[.!?] [A-Z]");
    }

    @Test
    void readsPlainFilesOfAnyShape() {
        Dataset d = IdxReader.read("tiny", goodImages("im", false), goodLabels("lb", false));

        assertThat(d.name()).isEqualTo("tiny");
        assertThat(d.count()).isEqualTo(4);
        assertThat(d.rows()).isEqualTo(3);
        assertThat(d.cols()).isEqualTo(5);
        assertThat(d.featureSize()).isEqualTo(15);
        assertThat(d.numClasses()).isEqualTo(3);
        assertThat(d.pixels()).isEqualTo(PIXELS);
        assertThat(d.labels()).isEqualTo(LABELS);
        assertThat(d.label(0)).isEqualTo(2);
        assertThat(d.pixel(3, 2, 4)).isEqualTo(PIXELS[3 * 15 + 2 * 5 + 4] & 0xFF);
    }

    @Test
    void detectsGzipByContentNotByName() {
        Dataset gzNoSuffix = IdxReader.read("a", goodImages("images-without-suffix", true),
                goodLabels("labels-without-suffix", true));
        Dataset plainWithSuffix = IdxReader.read("b", goodImages("plain-images.gz", false),
                goodLabels("plain-labels.gz", false));

        assertThat(gzNoSuffix.pixels()).isEqualTo(PIXELS);
        assertThat(gzNoSuffix.labels()).isEqualTo(LABELS);
        assertThat(plainWithSuffix.pixels()).isEqualTo(PIXELS);
    }

    @Test
    void labelsAbove127AreUnsigned() {
        byte[] labels = {(byte) 200, 0, (byte) 255, 1};
        Dataset d = IdxReader.read("u", goodImages("im", false),
                IdxFiles.write(dir, "lb", IdxFiles.labels(labels)));

        assertThat(d.label(0)).isEqualTo(200);
        assertThat(d.label(2)).isEqualTo(255);
        assertThat(d.numClasses()).isEqualTo(256);
    }

    @Test
    void truncatedPlainImagesNameTheFileAndTheMissingBytes() {
        byte[] full = IdxFiles.images(4, 3, 5, PIXELS);
        Path cut = IdxFiles.write(dir, "train-images-idx3-ubyte", Arrays.copyOf(full, 40));

        assertThatThrownBy(() -> IdxReader.read("t", cut, goodLabels("lb", false)))
                .isInstanceOf(DatasetException.class)
                .satisfies(e -> assertOneSentenceAbout(e, cut, "is truncated"))
                .hasMessageContaining("header promises 4 images of 3x5")
                .hasMessageContaining("ends after 40 bytes of the 76 expected")
                .hasMessageContaining("re-download or regenerate it");
    }

    @Test
    void truncatedHeaderIsReported() {
        byte[] full = IdxFiles.images(4, 3, 5, PIXELS);
        Path cut = IdxFiles.write(dir, "im", Arrays.copyOf(full, 10));

        assertThatThrownBy(() -> IdxReader.read("t", cut, goodLabels("lb", false)))
                .isInstanceOf(DatasetException.class)
                .satisfies(e -> assertOneSentenceAbout(e, cut, "is truncated"))
                .hasMessageContaining("ends after 10 bytes, inside the 16-byte IDX header");
    }

    @Test
    void truncatedGzipStreamIsReported() {
        byte[] gz = IdxFiles.gzip(IdxFiles.images(4, 3, 5, PIXELS));
        Path cut = IdxFiles.write(dir, "im.gz", Arrays.copyOf(gz, gz.length / 2));

        assertThatThrownBy(() -> IdxReader.read("t", cut, goodLabels("lb", true)))
                .isInstanceOf(DatasetException.class)
                .satisfies(e -> assertOneSentenceAbout(e, cut, "is truncated"));
    }

    @Test
    void truncatedLabelsAreReported() {
        byte[] full = IdxFiles.labels(LABELS);
        Path cut = IdxFiles.write(dir, "lb", Arrays.copyOf(full, full.length - 1));

        assertThatThrownBy(() -> IdxReader.read("t", goodImages("im", false), cut))
                .isInstanceOf(DatasetException.class)
                .satisfies(e -> assertOneSentenceAbout(e, cut, "is truncated"))
                .hasMessageContaining("header promises 4 labels");
    }

    @Test
    void corruptGzipTrailerIsReported() {
        byte[] gz = IdxFiles.gzip(IdxFiles.images(4, 3, 5, PIXELS));
        gz[gz.length - 6] ^= 0x55;  // CRC-32 of the uncompressed data
        Path bad = IdxFiles.write(dir, "im.gz", gz);

        assertThatThrownBy(() -> IdxReader.read("t", bad, goodLabels("lb", false)))
                .isInstanceOf(DatasetException.class)
                .satisfies(e -> assertOneSentenceAbout(e, bad, "is corrupt"));
    }

    @Test
    void garbageAfterGzipMagicIsReported() {
        byte[] garbage = new byte[200];
        Arrays.fill(garbage, (byte) 0xFF);
        byte[] header = IdxFiles.gzip(new byte[0]);
        byte[] bad = Arrays.copyOf(header, 10 + garbage.length);
        System.arraycopy(garbage, 0, bad, 10, garbage.length);
        Path file = IdxFiles.write(dir, "im.gz", bad);

        assertThatThrownBy(() -> IdxReader.read("t", file, goodLabels("lb", false)))
                .isInstanceOf(DatasetException.class)
                .satisfies(e -> assertOneSentenceAbout(e, file, "is corrupt"));
    }

    @Test
    void trailingBytesAreCorruption() {
        byte[] full = IdxFiles.images(4, 3, 5, PIXELS);
        Path longer = IdxFiles.write(dir, "im", Arrays.copyOf(full, full.length + 3));

        assertThatThrownBy(() -> IdxReader.read("t", longer, goodLabels("lb", false)))
                .isInstanceOf(DatasetException.class)
                .satisfies(e -> assertOneSentenceAbout(e, longer, "is corrupt"))
                .hasMessageContaining("more data than its header promises");
    }

    @Test
    void wrongMagicIsReported() {
        byte[] data = IdxFiles.images(4, 3, 5, PIXELS);
        data[2] = 0x12;
        Path bad = IdxFiles.write(dir, "im", data);

        assertThatThrownBy(() -> IdxReader.read("t", bad, goodLabels("lb", false)))
                .isInstanceOf(DatasetException.class)
                .satisfies(e -> assertOneSentenceAbout(e, bad, "is not an IDX images file"))
                .hasMessageContaining("0x00001203 instead of 0x00000803");
    }

    @Test
    void swappedFilesAreRecognised() {
        Path labels = goodLabels("lb", false);
        Path images = goodImages("im", false);

        assertThatThrownBy(() -> IdxReader.read("t", labels, images))
                .isInstanceOf(DatasetException.class)
                .satisfies(e -> assertOneSentenceAbout(e, labels, "swapped"));
    }

    @Test
    void wideLabelTypesAreRejectedAsTooManyClasses() {
        byte[] data = ByteBuffer.allocate(8 + 16).putInt(0x00000C01).putInt(4)
                .putInt(0).putInt(300).putInt(1).putInt(2).array();
        Path wide = IdxFiles.write(dir, "lb", data);

        assertThatThrownBy(() -> IdxReader.read("t", goodImages("im", false), wide))
                .isInstanceOf(DatasetException.class)
                .satisfies(e -> assertOneSentenceAbout(e, wide, "int32"))
                .hasMessageContaining("256 classes");
    }

    @Test
    void zeroDimensionsAreACorruptHeader() {
        Path bad = IdxFiles.write(dir, "im", IdxFiles.images(4, 0, 5, new byte[0]));

        assertThatThrownBy(() -> IdxReader.read("t", bad, goodLabels("lb", false)))
                .isInstanceOf(DatasetException.class)
                .satisfies(e -> assertOneSentenceAbout(e, bad, "corrupt header"));
    }

    @Test
    void absurdSizesAreRejectedBeforeAllocating() {
        Path huge = IdxFiles.write(dir, "im", ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC)
                .putInt(1_000_000).putInt(1000).putInt(1000).array());

        assertThatThrownBy(() -> IdxReader.read("t", huge, goodLabels("lb", false)))
                .isInstanceOf(DatasetException.class)
                .satisfies(e -> assertOneSentenceAbout(e, huge, "more than one Java array can hold"));
    }

    @Test
    void countMismatchNamesBothFiles() {
        Path images = goodImages("im.gz", true);
        Path labels = IdxFiles.write(dir, "lb.gz", IdxFiles.gzip(IdxFiles.labels(new byte[] {0, 1, 2})));

        assertThatThrownBy(() -> IdxReader.read("t", images, labels))
                .isInstanceOf(DatasetException.class)
                .hasMessage(images + " holds 4 images but " + labels
                        + " holds 3 labels; use the labels file that belongs to these images.");
    }

    @Test
    void missingFileIsReported() {
        Path missing = dir.resolve("nope");

        assertThatThrownBy(() -> IdxReader.read("t", missing, goodLabels("lb", false)))
                .isInstanceOf(DatasetException.class)
                .satisfies(e -> assertOneSentenceAbout(e, missing, "does not exist"));
    }
}
