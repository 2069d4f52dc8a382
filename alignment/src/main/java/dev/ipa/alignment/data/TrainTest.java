package dev.ipa.alignment.data;

import java.util.Objects;

/**
 * A training set and a test set of the same image shape and number of classes, and where they came from
 * (a directory, or the embedded subset). Immutable and thread-safe, like its data sets.
 *
 * @param source human-readable origin, e.g. {@code /usr/share/datasets/fashion-mnist}
 */
public record TrainTest(Dataset train, Dataset test, String source) {
    public TrainTest {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(source, "source");
        if (train.isTable() != test.isTable()) {
            throw new IllegalArgumentException("The training and test sets from " + source + " must both be tables or both be images.");
        }
        if (train.rows() != test.rows() || train.cols() != test.cols()) {
            throw new DatasetException("The training images from " + source + " are " + train.rows() + "x"
                    + train.cols() + " but the test images are " + test.rows() + "x" + test.cols()
                    + "; use a training and test set of the same data set.");
        }
        if (train.numClasses() != test.numClasses()) {
            int k = Math.max(train.numClasses(), test.numClasses());
            train = train.withNumClasses(k);
            test = test.withNumClasses(k);
        }
    }

    /** E.g. "Fashion-MNIST from /usr/share/datasets/fashion-mnist: 60000 train, 10000 test, 28x28, 10 classes". */
    public String describe() {
        if (train.isTable()) {
            return "Table " + source + ": " + train.count() + " train, " + test.count() + " test, " + train.featureSize()
                    + " encoded inputs, " + train.numClasses() + " classes";
        }
        return "Fashion-MNIST from " + source + ": " + train.count() + " train, " + test.count() + " test, "
                + train.rows() + "x" + train.cols() + ", " + train.numClasses() + " classes";
    }
}
