package dev.ipa.compression;

/** The tile contract for P = 1. */
class TiledSign1CodecTest extends TiledSignCodecTest {
  @Override
  int tiles() {
    return 1;
  }
}
