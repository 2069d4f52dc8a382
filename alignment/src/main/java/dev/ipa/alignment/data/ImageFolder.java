package dev.ipa.alignment.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Labelled images in class folders, read with ImageIO. Two layouts:
 *
 * <pre>
 *   DIR/train/&lt;class&gt;/*.png|jpg|jpeg|bmp|gif      DIR/&lt;class&gt;/*.png|...
 *   DIR/test/&lt;class&gt;/...                          (one level: a seeded, stratified test split)
 * </pre>
 *
 * <p>Class names are the sorted folder names (of train and test together; test classes the training data lacks
 * are kept, so labels agree, and named in a warning). Files whose names do not end in one of the image
 * extensions, and hidden files, are skipped and counted. Every image is decoded exactly once by {@link #scan}
 * and kept at its own size; {@link Scan#toTrainTest} then converts channels and resizes into the final arrays.
 *
 * <p>Decisions, where the layout is silent:
 * <ul>
 *   <li>Size: {@link Options#height()} × {@link Options#width()}, by default the most common size among all the
 *       images (ties: the larger, then the taller). Resizing is bilinear with pixel centres aligned (OpenCV's
 *       INTER_LINEAR).</li>
 *   <li>Channels: an image is grey when its colour model has one colour component (or a palette of greys),
 *       RGB otherwise; alpha is dropped. A folder of only grey or only RGB images keeps that. A mix is an error
 *       unless {@link Options#channels()} says what to convert to: 3 repeats the grey value, 1 takes the BT.601
 *       luma 0.299·R + 0.587·G + 0.114·B. A silent choice would either triple a grey data set's inputs or throw
 *       away the colour of an RGB one, so the user decides.</li>
 *   <li>A damaged or truncated file is an error naming it, never skipped: nothing trains on partly read data.
 *       ImageIO's JPEG reader only warns on a truncated file, so warnings count as damage too.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe; each call reads the files anew.
 */
public final class ImageFolder {
    /** File name endings read as images, lower case. */
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private ImageFolder() {}

    /**
     * How to turn the images into a data set.
     *
     * @param height       rows after resizing; 0 = the most common height (with {@code width} 0 too)
     * @param width        columns after resizing; 0 = the most common width
     * @param channels     1 or 3 to convert every image to grey or RGB; 0 = as the files are (all must agree)
     * @param testFraction share of each class held out for testing in the one-level layout, in [0, 1)
     * @param seed         seed of that split
     */
    public record Options(int height, int width, int channels, double testFraction, long seed) {
        /** The most common size, channels as the files are, 20 % test, seed 0. */
        public static final Options DEFAULTS = new Options(0, 0, 0, 0.2, 0);

        public Options {
            if (height < 0 || width < 0 || (height == 0) != (width == 0)) {
                throw new IllegalArgumentException("An image size needs a positive height and width, got " + height + "x" + width + ".");
            }
            if (channels != 0 && channels != 1 && channels != 3) {
                throw new IllegalArgumentException("Images can be converted to 1 (grey) or 3 (RGB) channels, not " + channels + ".");
            }
            if (!(testFraction >= 0 && testFraction < 1)) {
                throw new IllegalArgumentException("The test fraction must be in [0, 1), got " + testFraction + "; e.g. 0.2 holds out a fifth of each class.");
            }
        }

        /** Parses {@code HxW} (e.g. {@code 64x48}) or {@code N} for N×N; returns {height, width}. */
        public static int[] parseSize(String spec) {
            String s = spec.trim().toLowerCase(Locale.ROOT);
            try {
                String[] parts = s.split("x", -1);
                int h = Integer.parseInt(parts[0].trim());
                int w = parts.length == 1 ? h : Integer.parseInt(parts[1].trim());
                if (parts.length > 2 || h < 1 || w < 1 || h > 4096 || w > 4096) throw new NumberFormatException();
                return new int[] {h, w};
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Bad image size '" + spec + "'; write HEIGHTxWIDTH, e.g. 28x28 or 64x48, each between 1 and 4096.");
            }
        }
    }

    /** One decoded image at its own size, channels interleaved. */
    record Image(Path file, int label, int height, int width, int channels, byte[] pixels) {}

    /**
     * Whether {@code dir} looks like image folders rather than IDX files: a directory that holds a subdirectory and
     * none of the IDX file names.
     */
    public static boolean isImageFolder(Path dir) {
        if (!Files.isDirectory(dir)) return false;
        for (String idx : FashionMnist.FILE_NAMES) {
            if (Files.exists(dir.resolve(idx)) || Files.exists(dir.resolve(idx + ".gz"))) return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> Files.isDirectory(p) && !hidden(p));
        } catch (IOException e) {
            return false;
        }
    }

    /** Scans and converts in one go: {@code scan(dir).toTrainTest(options)}. */
    public static TrainTest load(Path dir, Options options) {
        return scan(dir).toTrainTest(options);
    }

    /**
     * Finds and decodes every image under {@code dir}.
     *
     * @throws DatasetException naming the folder or file, if a folder is empty or an image cannot be read
     */
    public static Scan scan(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("The image folder " + dir + " does not exist or is not a directory; pass a directory of class folders.");
        }
        Path trainDir = dir.resolve("train");
        Path testDir = dir.resolve("test");
        boolean presplit = Files.isDirectory(trainDir);
        if (!presplit && Files.isDirectory(testDir)) {
            throw new DatasetException("The image folder " + dir + " has test/ but no train/; add train/<class>/ folders, or move the class folders up one level to split them.");
        }
        Map<String, List<Path>> trainFiles = new TreeMap<>();
        Map<String, List<Path>> testFiles = new TreeMap<>();
        int[] ignored = {0};
        listClasses(presplit ? trainDir : dir, trainFiles, ignored);
        if (presplit && Files.isDirectory(testDir)) listClasses(testDir, testFiles, ignored);
        if (trainFiles.isEmpty()) {
            throw new DatasetException("The image folder " + (presplit ? trainDir : dir) + " holds no class folders; put each class's images in a folder named after it, e.g. "
                    + (presplit ? trainDir : dir).resolve("cat") + "/001.png.");
        }
        TreeSet<String> names = new TreeSet<>(trainFiles.keySet());
        names.addAll(testFiles.keySet());
        List<String> classes = List.copyOf(names);
        if (classes.size() < 2) {
            throw new DatasetException("The image folder " + dir + " has only the class folder " + classes.get(0)
                    + ", but a classifier needs at least two classes; add a folder for each other class.");
        }
        if (classes.size() > Dataset.MAX_CLASSES) {
            throw new DatasetException("The image folder " + dir + " has " + classes.size() + " class folders, more than the " + Dataset.MAX_CLASSES + " a model can have.");
        }
        List<Image> train = decodeAll(trainFiles, classes);
        List<Image> test = decodeAll(testFiles, classes);
        List<String> missing = new ArrayList<>(testFiles.keySet());
        missing.removeAll(trainFiles.keySet());
        return new Scan(dir, presplit, classes, train, test, List.copyOf(missing), ignored[0]);
    }

    private static void listClasses(Path root, Map<String, List<Path>> into, int[] ignored) {
        for (Path classDir : list(root)) {
            if (hidden(classDir)) continue;
            if (!Files.isDirectory(classDir)) {
                ignored[0]++;
                continue;
            }
            List<Path> images = new ArrayList<>();
            for (Path f : list(classDir)) {
                if (Files.isRegularFile(f) && !hidden(f) && EXTENSIONS.contains(extension(f))) images.add(f);
                else ignored[0]++;
            }
            if (images.isEmpty()) {
                throw new DatasetException("The class folder " + classDir + " holds no images (" + String.join(", ", new TreeSet<>(EXTENSIONS))
                        + "); add its images or remove the folder.");
            }
            into.put(classDir.getFileName().toString(), images);
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new DatasetException("The folder " + dir + " cannot be listed (" + e.getMessage() + "); check its permissions.", e);
        }
    }

    private static boolean hidden(Path p) {
        return p.getFileName().toString().startsWith(".");
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static List<Image> decodeAll(Map<String, List<Path>> files, List<String> classes) {
        List<Image> out = new ArrayList<>();
        for (Map.Entry<String, List<Path>> e : files.entrySet()) {
            int label = classes.indexOf(e.getKey());
            for (Path f : e.getValue()) out.add(decode(f, label));
        }
        return out;
    }

    /** Decodes one file; any ImageIO error or warning fails with one sentence naming the file. */
    static Image decode(Path file, int label) {
        BufferedImage img;
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new DatasetException("The image " + file + " is not a PNG, JPEG, BMP or GIF file ImageIO can read; convert or remove it.");
            }
            ImageReader reader = readers.next();
            try {
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                reader.setInput(in, true, true);
                img = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DatasetException d) throw d;
            throw new DatasetException("The image " + file + " cannot be decoded (" + e.getMessage() + "); it is truncated or damaged: replace or remove it.", e);
        }
        if (!warnings.isEmpty()) {
            throw new DatasetException("The image " + file + " is truncated or damaged (" + warnings.get(0) + "); replace or remove it.");
        }
        int h = img.getHeight();
        int w = img.getWidth();
        if (grey(img.getColorModel())) {
            byte[] px = new byte[h * w];
            if (img.getColorModel() instanceof IndexColorModel) {
                for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) px[y * w + x] = (byte) (img.getRGB(x, y) & 0xFF);
            } else {
                Raster r = img.getRaster();
                int max = (1 << img.getColorModel().getComponentSize(0)) - 1;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) px[y * w + x] = (byte) Math.round(r.getSample(x, y, 0) * 255.0 / max);
                }
            }
            return new Image(file, label, h, w, 1, px);
        }
        byte[] px = new byte[h * w * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = (y * w + x) * 3;
                px[p] = (byte) (row[x] >> 16);
                px[p + 1] = (byte) (row[x] >> 8);
                px[p + 2] = (byte) row[x];
            }
        }
        return new Image(file, label, h, w, 3, px);
    }

    private static boolean grey(ColorModel cm) {
        if (cm instanceof IndexColorModel icm) {
            for (int i = 0; i < icm.getMapSize(); i++) {
                if (icm.getRed(i) != icm.getGreen(i) || icm.getGreen(i) != icm.getBlue(i)) return false;
            }
            return true;
        }
        return cm.getNumColorComponents() == 1;
    }

    /**
     * Bilinear resize of an {@code h×w×c} image (channels interleaved) to {@code oh×ow×c}, with pixel centres
     * aligned: output pixel (y, x) samples the source at ((y + ½)·h/oh − ½, (x + ½)·w/ow − ½), clamped to the
     * edges. The same size returns a copy. Pure function.
     */
    static byte[] resize(byte[] src, int h, int w, int c, int oh, int ow) {
        if (h == oh && w == ow) return src.clone();
        byte[] out = new byte[oh * ow * c];
        double sy = (double) h / oh;
        double sx = (double) w / ow;
        for (int y = 0; y < oh; y++) {
            double fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
            int y0 = (int) fy;
            int y1 = Math.min(y0 + 1, h - 1);
            double dy = fy - y0;
            for (int x = 0; x < ow; x++) {
                double fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
                int x0 = (int) fx;
                int x1 = Math.min(x0 + 1, w - 1);
                double dx = fx - x0;
                for (int k = 0; k < c; k++) {
                    double top = (src[(y0 * w + x0) * c + k] & 0xFF) * (1 - dx) + (src[(y0 * w + x1) * c + k] & 0xFF) * dx;
                    double bottom = (src[(y1 * w + x0) * c + k] & 0xFF) * (1 - dx) + (src[(y1 * w + x1) * c + k] & 0xFF) * dx;
                    out[(y * ow + x) * c + k] = (byte) Math.round(top * (1 - dy) + bottom * dy);
                }
            }
        }
        return out;
    }

    /** {@code px} of {@code from} channels as {@code to} channels: grey repeated, or BT.601 luma. Pure function. */
    static byte[] convertChannels(byte[] px, int from, int to) {
        if (from == to) return px;
        int n = px.length / from;
        byte[] out = new byte[n * to];
        for (int i = 0; i < n; i++) {
            if (to == 3) {
                out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = px[i];
            } else {
                double y = 0.299 * (px[3 * i] & 0xFF) + 0.587 * (px[3 * i + 1] & 0xFF) + 0.114 * (px[3 * i + 2] & 0xFF);
                out[i] = (byte) Math.round(y);
            }
        }
        return out;
    }

    /**
     * Every image of a folder, decoded once at its own size, with what {@code ipa data describe} prints. Immutable
     * after construction; {@link #toTrainTest} may be called any number of times.
     */
    public static final class Scan {
        private final Path dir;
        private final boolean presplit;
        private final List<String> classes;
        private final List<Image> train;
        private final List<Image> test;
        private final List<String> testOnlyClasses;
        private final int ignored;

        Scan(Path dir, boolean presplit, List<String> classes, List<Image> train, List<Image> test, List<String> testOnlyClasses, int ignored) {
            this.dir = dir;
            this.presplit = presplit;
            this.classes = classes;
            this.train = train;
            this.test = test;
            this.testOnlyClasses = testOnlyClasses;
            this.ignored = ignored;
        }

        /** Whether the folder had train/ (and maybe test/) folders; otherwise one level, split on load. */
        public boolean presplit() {
            return presplit;
        }

        /** Class names, sorted; label i is {@code classNames().get(i)}. */
        public List<String> classNames() {
            return classes;
        }

        /** Images per class in train/ (or the whole folder in the one-level layout). */
        public int[] trainCounts() {
            return counts(train);
        }

        /** Images per class in test/ (zeros in the one-level layout or without test/). */
        public int[] testCounts() {
            return counts(test);
        }

        private int[] counts(List<Image> images) {
            int[] c = new int[classes.size()];
            for (Image i : images) c[i.label()]++;
            return c;
        }

        /** How many images have each size, {@code HxW} → count, most common first. */
        public Map<String, Integer> sizes() {
            Map<String, Integer> m = new TreeMap<>();
            for (Image i : all()) m.merge(i.height() + "x" + i.width(), 1, Integer::sum);
            Map<String, Integer> sorted = new LinkedHashMap<>();
            m.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).forEach(e -> sorted.put(e.getKey(), e.getValue()));
            return sorted;
        }

        /** Grey and RGB images: {grey, rgb}. */
        public int[] channelCounts() {
            int grey = 0;
            for (Image i : all()) if (i.channels() == 1) grey++;
            return new int[] {grey, train.size() + test.size() - grey};
        }

        /** Files skipped because they are hidden or not named as images. */
        public int ignoredFiles() {
            return ignored;
        }

        /** Classes in test/ that train/ lacks. */
        public List<String> testOnlyClasses() {
            return testOnlyClasses;
        }

        private List<Image> all() {
            List<Image> a = new ArrayList<>(train);
            a.addAll(test);
            return a;
        }

        /** {height, width} of the most common size; ties go to the larger area, then the taller. */
        public int[] mostCommonSize() {
            Map<Long, Integer> count = new TreeMap<>();
            for (Image i : all()) count.merge(((long) i.height() << 32) | i.width(), 1, Integer::sum);
            long best = count.entrySet().stream().max(Comparator.<Map.Entry<Long, Integer>>comparingInt(Map.Entry::getValue)
                    .thenComparingLong(e -> (e.getKey() >>> 32) * (e.getKey() & 0xFFFFFFFFL)).thenComparingLong(e -> e.getKey() >>> 32)).orElseThrow().getKey();
            return new int[] {(int) (best >>> 32), (int) best};
        }

        /**
         * The data set: channels converted and images resized as {@code o} says, split if the folder was one level.
         *
         * @throws DatasetException on mixed channel counts without {@link Options#channels()}
         */
        public TrainTest toTrainTest(Options o) {
            int[] cc = channelCounts();
            int channels = o.channels();
            if (channels == 0 && cc[0] > 0 && cc[1] > 0) {
                Path greyFile = all().stream().filter(i -> i.channels() == 1).findFirst().orElseThrow().file();
                Path rgbFile = all().stream().filter(i -> i.channels() == 3).findFirst().orElseThrow().file();
                throw new DatasetException("The image folder " + dir + " mixes channel counts: " + cc[0] + " grey images (e.g. " + greyFile + ") and " + cc[1]
                        + " RGB images (e.g. " + rgbFile + "); pass --channels 3 to read every image as RGB or --channels 1 to read every image as grey.");
            }
            if (channels == 0) channels = cc[1] > 0 ? 3 : 1;
            int[] size = o.height() > 0 ? new int[] {o.height(), o.width()} : mostCommonSize();
            String shape = size[0] + "x" + size[1] + (channels == 1 ? "" : "x" + channels);
            List<String> warnings = new ArrayList<>();
            if (!testOnlyClasses.isEmpty()) {
                warnings.add("The test images of " + (testOnlyClasses.size() == 1 ? "class " : "classes ") + String.join(", ", testOnlyClasses)
                        + " have no training images in " + dir.resolve("train") + ", so no model can learn to recognise them; add their training images or remove them from test/.");
            }
            String source = dir.toString();
            if (presplit && test.isEmpty()) {
                // train/ without test/: split train/ as the one-level layout is split.
                return split(train, channels, size, o, source + " (train/ split " + percent(o.testFraction()) + " for testing, seed " + o.seed() + ")", warnings);
            }
            if (!presplit) {
                return split(train, channels, size, o, source + " (split " + percent(o.testFraction()) + " for testing, seed " + o.seed() + ")", warnings);
            }
            Dataset tr = build("Images train " + shape, train, channels, size);
            Dataset te = build("Images test " + shape, test, channels, size);
            return new TrainTest(tr, te, source, "Image folders", classes, warnings);
        }

        private TrainTest split(List<Image> images, int channels, int[] size, Options o, String source, List<String> warnings) {
            if (o.testFraction() == 0) {
                throw new DatasetException("The image folder " + dir + " has no test/ folder and the test fraction is 0, so there is nothing to test on; "
                        + "pass a test fraction above 0 (e.g. 0.2) or add test/<class>/ folders.");
            }
            int[] labels = images.stream().mapToInt(Image::label).toArray();
            StratifiedSplit.Sides sides = StratifiedSplit.split(labels, classes.size(), o.testFraction(), o.seed());
            if (sides.test().length == 0) {
                throw new DatasetException("The image folder " + dir + " has too few images per class (" + images.size() + " in all) to hold "
                        + percent(o.testFraction()) + " out for testing; add images or raise the test fraction.");
            }
            String shape = size[0] + "x" + size[1] + (channels == 1 ? "" : "x" + channels);
            Dataset tr = build("Images train " + shape, pick(images, sides.train()), channels, size);
            Dataset te = build("Images test " + shape, pick(images, sides.test()), channels, size);
            return new TrainTest(tr, te, source, "Image folders", classes, warnings);
        }

        private static List<Image> pick(List<Image> images, int[] idx) {
            List<Image> out = new ArrayList<>(idx.length);
            for (int i : idx) out.add(images.get(i));
            return out;
        }

        private Dataset build(String name, List<Image> images, int channels, int[] size) {
            int f = channels * size[0] * size[1];
            byte[] pixels = new byte[Math.multiplyExact(images.size(), f)];
            byte[] labels = new byte[images.size()];
            for (int k = 0; k < images.size(); k++) {
                Image i = images.get(k);
                byte[] px = resize(convertChannels(i.pixels(), i.channels(), channels), i.height(), i.width(), channels, size[0], size[1]);
                System.arraycopy(px, 0, pixels, k * f, f);
                labels[k] = (byte) i.label();
            }
            return Dataset.adopt(name, channels, size[0], size[1], classes.size(), pixels, labels);
        }

        private static String percent(double f) {
            return String.format(Locale.ROOT, "%.0f%%", f * 100);
        }
    }
}
