package dev.ipa.compression;

/** The tile contract for P = 3. */
class TiledSign3CodecTest extends TiledSignCodecTest {
  @Override
  int tiles() {
    return 3;
  }
}
