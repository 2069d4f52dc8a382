package dev.ipa.alignment.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path tmp;

    /** Three complete directories told apart by their training-set size. */
    private Path explicit() {
        return IdxFiles.writeFourFiles(tmp.resolve("explicit"), 11, 5, 3, true);
    }

    private Path fromEnv() {
        return IdxFiles.writeFourFiles(tmp.resolve("env"), 12, 5, 3, false);
    }

    private Path system() {
        return IdxFiles.writeFourFiles(tmp.resolve("system"), 13, 5, 3, true);
    }

    private static FashionMnist locator(Map<String, String> env, Path systemDir) {
        return new FashionMnist(env::get, systemDir);
    }

    @Test
    void explicitDirectoryComesFirst() {
        Path dir = explicit();
        TrainTest data = locator(Map.of("IPA_DATA", fromEnv().toString()), system()).load(dir);

        assertThat(data.train().count()).isEqualTo(11);
        assertThat(data.source()).isEqualTo(dir.toString());
    }

    @Test
    void environmentComesBeforeTheSystemDirectory() {
        TrainTest data = locator(Map.of("IPA_DATA", fromEnv().toString()), system()).load(null);

        assertThat(data.train().count()).isEqualTo(12);
    }

    @Test
    void systemDirectoryComesBeforeTheEmbeddedSubset() {
        TrainTest data = locator(Map.of("IPA_DATA", "  "), system()).load(null);

        assertThat(data.train().count()).isEqualTo(13);
        assertThat(data.describe())
                .isEqualTo("Fashion-MNIST from " + tmp.resolve("system") + ": 13 train, 5 test, 2x3, 3 classes");
    }

    @Test
    void embeddedSubsetIsTheLastResort() {
        TrainTest data = locator(Map.of(), tmp.resolve("no-such-dir")).load(null);

        assertThat(data.source()).contains("embedded");
        assertThat(data.train().count()).isEqualTo(9_000);
    }

    @Test
    void aMissingExplicitDirectoryIsAnErrorNotAFallback() {
        Path missing = tmp.resolve("missing");
        FashionMnist locator = locator(Map.of("IPA_DATA", fromEnv().toString()), system());

        assertThatThrownBy(() -> locator.load(missing))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("given by --data does not exist")
                .hasMessageEndingWith(".");
    }

    @Test
    void anIncompleteExplicitDirectoryNamesTheMissingFile() throws IOException {
        Path dir = explicit();
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));

        assertThatThrownBy(() -> locator(Map.of(), system()).load(dir))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("has no t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz");
    }

    @Test
    void aBadEnvironmentDirectoryIsAnErrorNotAFallback() {
        Path missing = tmp.resolve("env-missing");

        assertThatThrownBy(() -> locator(Map.of("IPA_DATA", missing.toString()), system()).load(null))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(missing + " given by $IPA_DATA does not exist");
    }

    @Test
    void aPartialSystemDirectoryIsReportedAsBroken() throws IOException {
        Path sys = system();
        Files.delete(sys.resolve("train-images-idx3-ubyte.gz"));

        assertThatThrownBy(() -> locator(Map.of(), sys).load(null))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("has no train-images-idx3-ubyte");
    }

    @Test
    void plainAndGzipNamesMayBeMixed() throws IOException {
        Path dir = tmp.resolve("mixed");
        IdxFiles.writeFourFiles(dir, 7, 4, 2, true);
        Files.delete(dir.resolve("t10k-images-idx3-ubyte.gz"));
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        IdxFiles.writePair(dir, "t10k", 6, 3, false);

        TrainTest data = FashionMnist.fromDirectory(dir, "--data");

        assertThat(data.train().count()).isEqualTo(7);
        assertThat(data.test().count()).isEqualTo(6);
        // the test set has a class the training set lacks: both report the union
        assertThat(data.train().numClasses()).isEqualTo(3);
        assertThat(data.test().numClasses()).isEqualTo(3);
    }

    @Test
    void embeddedSubsetIsClassBalancedFashionMnist() {
        TrainTest data = FashionMnist.embedded();

        assertThat(data.train().rows()).isEqualTo(28);
        assertThat(data.train().cols()).isEqualTo(28);
        assertThat(data.train().classCounts()).hasSize(10).containsOnly(900);
        assertThat(data.test().classCounts()).hasSize(10).containsOnly(200);
        assertThat(data.describe()).endsWith(": 9000 train, 2000 test, 28x28, 10 classes");
        // real images, not zeros: Fashion-MNIST's mean pixel is about 73 of 255
        byte[] pixels = data.test().pixels();
        long sum = 0;
        for (byte b : pixels) {
            sum += b & 0xFF;
        }
        assertThat((double) sum / pixels.length).isBetween(60.0, 90.0);
    }

    @Test
    void embeddedSubsetFitsInFiveMegabytes() throws IOException, URISyntaxException {
        Path dir = Path.of(FashionMnist.class.getResource(FashionMnist.EMBEDDED_RESOURCE_DIR).toURI());
        long total;
        try (Stream<Path> files = Files.list(dir)) {
            total = files.mapToLong(p -> p.toFile().length()).sum();
        }

        assertThat(total).isPositive().isLessThanOrEqualTo(5_000_000L);
        assertThat(dir.resolve("LICENSE")).content().contains("MIT").contains("Copyright (c) 2017 Zalando SE");
        assertThat(dir.resolve("README.md")).content().contains("Han Xiao").contains("Kashif Rasul")
                .contains("Roland Vollgraf");
    }

    @Test
    void readsTheInstalledDebianPackage() {
        // .ci/run installs Debian's dataset-fashion-mnist; without it this test fails rather than skips.
        assertThat(FashionMnist.SYSTEM_DIR).as("apt-get install dataset-fashion-mnist").isDirectory();

        TrainTest data = locator(Map.of(), FashionMnist.SYSTEM_DIR).load(null);

        assertThat(data.describe()).isEqualTo(
                "Fashion-MNIST from /usr/share/datasets/fashion-mnist: 60000 train, 10000 test, 28x28, 10 classes");
        assertThat(data.train().classCounts()).containsOnly(6000);
    }
}
