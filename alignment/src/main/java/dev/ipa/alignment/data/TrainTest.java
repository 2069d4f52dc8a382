package dev.ipa.alignment.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A training set and a test set of the same image shape and number of classes, where they came from (a
 * directory, or the embedded subset), what kind of source it was, the class names, and what the loader warned
 * about. Immutable and thread-safe, like its data sets.
 *
 * @param source     human-readable origin, e.g. {@code /usr/share/datasets/fashion-mnist}
 * @param kind       what the source is, e.g. {@code Fashion-MNIST} or {@code Image folders}
 * @param classNames one name per class, in label order
 * @param warnings   one sentence each, for the user to read before training (e.g. test classes missing from training)
 */
public record TrainTest(Dataset train, Dataset test, String source, String kind, List<String> classNames, List<String> warnings) {
    public TrainTest {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(kind, "kind");
        if (train.isTable() != test.isTable()) {
            throw new IllegalArgumentException("The training and test sets from " + source + " must both be tables or both be images.");
        }
        if (train.rows() != test.rows() || train.cols() != test.cols() || train.channels() != test.channels()) {
            throw new DatasetException("The training images from " + source + " are " + train.shape()
                    + " but the test images are " + test.shape() + "; use a training and test set of the same data set.");
        }
        if (train.numClasses() != test.numClasses()) {
            int k = Math.max(train.numClasses(), test.numClasses());
            train = train.withNumClasses(k);
            test = test.withNumClasses(k);
        }
        List<String> names = new ArrayList<>(classNames);
        for (int c = names.size(); c < train.numClasses(); c++) names.add(Integer.toString(c));
        if (names.size() > train.numClasses()) {
            throw new IllegalArgumentException(source + " names " + names.size() + " classes but its data has " + train.numClasses() + ".");
        }
        classNames = List.copyOf(names);
        warnings = List.copyOf(warnings);
    }

    /** IDX data (Fashion-MNIST or any data set in its layout): classes numbered, no warnings. */
    public TrainTest(Dataset train, Dataset test, String source) {
        this(train, test, source, "Fashion-MNIST", List.of(), List.of());
    }

    /**
     * E.g. "Fashion-MNIST from /usr/share/datasets/fashion-mnist: 60000 train, 10000 test, 28x28, 10 classes", or
     * "Image folders from /data/scans: 800 train, 200 test, 64x64x3, 3 classes (cat, dog, fox)".
     */
    public String describe() {
        if (train.isTable()) {
            return "Table " + source + ": " + train.count() + " train, " + test.count() + " test, " + train.featureSize()
                    + " encoded inputs, " + train.numClasses() + " classes";
        }
        String s = kind + " from " + source + ": " + train.count() + " train, " + test.count() + " test, "
                + train.shape() + ", " + train.numClasses() + " classes";
        if (kind.equals("Fashion-MNIST")) return s;
        return s + " (" + String.join(", ", classNames.size() <= 12 ? classNames : classNames.subList(0, 12)) + (classNames.size() > 12 ? ", ..." : "") + ")";
    }
}
