package dev.ipa.compression;

/**
 * The tile contract for P = 100: with that many chunks the encoder shrinks its blocks (to 64 positions) to bound
 * its scratch, so this runs the block and remainder arithmetic at a second block length.
 */
class TiledSign100CodecTest extends TiledSignCodecTest {
  @Override
  int tiles() {
    return 100;
  }
}
