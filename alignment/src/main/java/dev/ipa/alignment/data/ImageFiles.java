package dev.ipa.alignment.data;

import java.nio.file.Path;

/**
 * Single image files read as a model's input, for prediction: decoded, converted to the model's channels and
 * resized to its size exactly as {@link ImageFolder} does for training, so a file gives the pixels it would
 * have given in a training folder. Stateless; safe from any thread.
 */
public final class ImageFiles {
  private ImageFiles() {}

  /**
   * The file's pixels as {@code height × width × channels} unsigned bytes, channels interleaved (HWC).
   *
   * @throws DatasetException with one sentence naming the file when it cannot be decoded
   */
  public static byte[] pixels(Path file, int channels, int height, int width) {
    ImageFolder.Image i = ImageFolder.decode(file, 0);
    return ImageFolder.resize(ImageFolder.convertChannels(i.pixels(), i.channels(), channels), i.height(), i.width(), channels, height, width);
  }

  /** Whether {@code file}'s extension is one the image reader takes (png, jpg, jpeg, bmp, gif). */
  public static boolean isImage(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 && ImageFolder.EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(java.util.Locale.ROOT));
  }
}
