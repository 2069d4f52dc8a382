package dev.ipa.alignment.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DatasetTest {
    /** Three 2x3 images; labels 1, 0, 4 so numClasses is 5. */
    private static final byte[] PIXELS = {
        0, 1, 2, 3, 4, 5,
        (byte) 255, (byte) 128, 0, 10, 20, 30,
        7, 7, 7, 7, 7, (byte) 200,
    };
    private static final byte[] LABELS = {1, 0, 4};

    private static Dataset tiny() {
        return Dataset.of("tiny", 2, 3, PIXELS, LABELS);
    }

    @Test
    void shapeAndClassesComeFromTheData() {
        Dataset d = tiny();

        assertThat(d.featureSize()).isEqualTo(6);
        assertThat(d.count()).isEqualTo(3);
        assertThat(d.numClasses()).isEqualTo(5);
        assertThat(d.classCounts()).containsExactly(1, 1, 0, 0, 1);
        assertThat(Dataset.of("meta", 2, 3, 10, PIXELS, LABELS).numClasses()).isEqualTo(10);
    }

    @Test
    void featuresWritesScaledPixelsOfTheRequestedSamplesInOrder() {
        float[] out = new float[20];
        Arrays.fill(out, -1f);

        tiny().features(new int[] {9, 1, 0, 9}, 1, 3, out);

        assertThat(Arrays.copyOfRange(out, 0, 6))
                .containsExactly(1f, 128 / 255f, 0f, 10 / 255f, 20 / 255f, 30 / 255f);
        assertThat(Arrays.copyOfRange(out, 6, 12)).containsExactly(0f, 1 / 255f, 2 / 255f, 3 / 255f, 4 / 255f,
                5 / 255f);
        assertThat(Arrays.copyOfRange(out, 12, 20)).containsOnly(-1f);
    }

    @Test
    void batchLabelsFollowTheIndices() {
        int[] out = new int[3];

        tiny().labels(new int[] {2, 2, 1}, 0, 3, out);

        assertThat(out).containsExactly(4, 4, 0);
    }

    @Test
    void featuresRejectsShortBuffersAndBadIndices() {
        Dataset d = tiny();

        assertThatThrownBy(() -> d.features(new int[] {0, 1}, 0, 2, new float[11]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 12 floats");
        assertThatThrownBy(() -> d.features(new int[] {3}, 0, 1, new float[6]))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> d.features(new int[] {0}, 0, 2, new float[12]))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void featuresAllocatesNothing() {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Dataset d = Dataset.of("big", 28, 28, new byte[100 * 784], new byte[100]);
        int[] idx = new int[100];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = (i * 37) % 100;
        }
        float[] out = new float[32 * 784];
        for (int i = 0; i < 2_000; i++) {
            d.features(idx, i % 68, i % 68 + 32, out);
        }
        long thread = Thread.currentThread().getId();
        long before = bean.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 10_000; i++) {
            d.features(idx, i % 68, i % 68 + 32, out);
        }
        long allocated = bean.getThreadAllocatedBytes(thread) - before;

        // One float[] batch per call would be 10,000 x 100 KB; a few hundred bytes is the probe itself.
        assertThat(allocated).isLessThan(10_000);
    }

    @Test
    void isImmutable() {
        byte[] pixels = PIXELS.clone();
        byte[] labels = LABELS.clone();
        Dataset d = Dataset.of("tiny", 2, 3, pixels, labels);

        pixels[0] = 99;
        labels[0] = 3;
        d.pixels()[1] = 99;
        d.labels()[1] = 3;

        assertThat(d.pixels()).isEqualTo(PIXELS);
        assertThat(d.labels()).isEqualTo(LABELS);
    }

    @Test
    void subsetKeepsOrderShapeAndClassCount() {
        Dataset s = tiny().subset(new int[] {2, 0});

        assertThat(s.count()).isEqualTo(2);
        assertThat(s.numClasses()).isEqualTo(5);
        assertThat(s.label(0)).isEqualTo(4);
        assertThat(s.label(1)).isEqualTo(1);
        assertThat(s.pixels()).isEqualTo(concat(Arrays.copyOfRange(PIXELS, 12, 18), Arrays.copyOfRange(PIXELS, 0, 6)));
        assertThatThrownBy(() -> tiny().subset(new int[] {3})).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void rejectsInconsistentConstruction() {
        assertThatThrownBy(() -> Dataset.of("x", 2, 3, 4, PIXELS, LABELS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 4");
        assertThatThrownBy(() -> Dataset.of("x", 2, 3, 257, PIXELS, LABELS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256");
        assertThatThrownBy(() -> Dataset.of("x", 2, 2, PIXELS, LABELS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12 pixel bytes");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
