package dev.ipa.alignment.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Finds Fashion-MNIST (or any data set in its four-file IDX layout) and loads it. Sources are tried in this
 * order, and the first one that applies is used:
 *
 * <ol>
 *   <li>an explicit directory (the {@code --data DIR} flag);</li>
 *   <li>the directory named by the environment variable {@value #ENV_VAR};</li>
 *   <li>the system directory {@code /usr/share/datasets/fashion-mnist} (Debian package
 *       {@code dataset-fashion-mnist}), if it holds any of the four files;</li>
 *   <li>the class-balanced subset embedded in this module (9,000 train + 2,000 test images).</li>
 * </ol>
 *
 * <p>A directory the user named, by flag or by {@value #ENV_VAR}, must exist and hold all four files;
 * otherwise loading fails with a {@link DatasetException} instead of silently using other data. A system
 * directory holding only some of the files fails the same way, since that is a broken install.
 *
 * <p>In a directory each file may be plain or gzip-compressed, named with or without {@code .gz}:
 * {@code train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]},
 * {@code t10k-images-idx3-ubyte[.gz]}, {@code t10k-labels-idx1-ubyte[.gz]}.
 *
 * <p>Immutable and thread-safe; every call reads the files anew.
 */
public final class FashionMnist {
    /** Environment variable naming a data directory. */
    public static final String ENV_VAR = "IPA_DATA";
    /** Where Debian's {@code dataset-fashion-mnist} installs the data. */
    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Classpath folder of the embedded subset. */
    public static final String EMBEDDED_RESOURCE_DIR = "/dev/ipa/alignment/data/fashion-mnist-subset/";
    /** The four file names, without {@code .gz}: train images, train labels, test images, test labels. */
    public static final List<String> FILE_NAMES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private final UnaryOperator<String> env;
    private final Path systemDir;

    /**
     * @param env       looks up an environment variable, returning null when unset ({@code System::getenv})
     * @param systemDir the system-wide data directory, normally {@link #SYSTEM_DIR}
     */
    public FashionMnist(UnaryOperator<String> env, Path systemDir) {
        this.env = Objects.requireNonNull(env, "env");
        this.systemDir = Objects.requireNonNull(systemDir, "systemDir");
    }

    /** The locator for this process: real environment, real system directory. */
    public static FashionMnist fromEnvironment() {
        return new FashionMnist(System::getenv, SYSTEM_DIR);
    }

    /**
     * Loads the data from the first applicable source.
     *
     * @param explicitDir the directory the user asked for, or null when none was given
     * @throws DatasetException if a requested directory is missing or incomplete, or any file is damaged
     */
    public TrainTest load(Path explicitDir) {
        if (explicitDir != null) {
            return fromDirectory(explicitDir, "--data");
        }
        String fromEnv = env.apply(ENV_VAR);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromDirectory(Path.of(fromEnv), "$" + ENV_VAR);
        }
        if (FILE_NAMES.stream().anyMatch(f -> find(systemDir, f).isPresent())) {
            return fromDirectory(systemDir, "the system data directory");
        }
        return embedded();
    }

    /**
     * Loads the four files from {@code dir}; {@code origin} says who named it ("--data", "$IPA_DATA"), for
     * the error message.
     */
    public static TrainTest fromDirectory(Path dir, String origin) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("The data directory " + dir + " given by " + origin
                    + " does not exist or is not a directory; pass a directory holding the four Fashion-MNIST "
                    + "IDX files, or omit it to use the installed or embedded data.");
        }
        List<Path> files = new ArrayList<>(4);
        for (String name : FILE_NAMES) {
            files.add(find(dir, name).orElseThrow(() -> new DatasetException("The data directory " + dir
                    + " given by " + origin + " has no " + name + " or " + name + ".gz; copy it there "
                    + "(e.g. from the Debian package dataset-fashion-mnist) or point " + origin
                    + " at a complete directory.")));
        }
        Dataset train = IdxReader.read("Fashion-MNIST train", files.get(0), files.get(1));
        Dataset test = IdxReader.read("Fashion-MNIST test", files.get(2), files.get(3));
        return new TrainTest(train, test, dir.toString());
    }

    /** Loads the class-balanced subset shipped inside this module. */
    public static TrainTest embedded() {
        Dataset train = embeddedPair("Fashion-MNIST train (embedded subset)", FILE_NAMES.get(0), FILE_NAMES.get(1));
        Dataset test = embeddedPair("Fashion-MNIST test (embedded subset)", FILE_NAMES.get(2), FILE_NAMES.get(3));
        return new TrainTest(train, test, "the embedded subset (classpath:" + EMBEDDED_RESOURCE_DIR + ")");
    }

    private static Dataset embeddedPair(String name, String images, String labels) {
        String im = EMBEDDED_RESOURCE_DIR + images + ".gz";
        String lb = EMBEDDED_RESOURCE_DIR + labels + ".gz";
        try (InputStream imIn = resource(im); InputStream lbIn = resource(lb)) {
            return IdxReader.read(name, "classpath:" + im, imIn, "classpath:" + lb, lbIn);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String path) {
        InputStream in = FashionMnist.class.getResourceAsStream(path);
        if (in == null) {
            throw new DatasetException("The embedded data file classpath:" + path + " is missing from this "
                    + "build; rebuild the alignment module, or run scripts/make-embedded-subset.py first.");
        }
        return in;
    }

    private static Optional<Path> find(Path dir, String name) {
        for (String candidate : new String[] {name + ".gz", name}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
