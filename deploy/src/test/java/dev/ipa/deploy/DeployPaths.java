package dev.ipa.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the deploy module's files are, for tests run by Maven (system property) or from an IDE (working dir). */
final class DeployPaths {
  private DeployPaths() {}

  /** The deploy module directory: holds Dockerfile, helm/, compose/ and target/dist. */
  static Path moduleDir() {
    String configured = System.getProperty("ipa.deploy.dir");
    Path dir = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
    if (!Files.isRegularFile(dir.resolve("Dockerfile")) && Files.isRegularFile(dir.resolve("deploy/Dockerfile"))) {
      dir = dir.resolve("deploy");
    }
    if (!Files.isRegularFile(dir.resolve("Dockerfile"))) {
      throw new IllegalStateException("Cannot find the deploy module (no Dockerfile in " + dir + "); run the tests with Maven.");
    }
    return dir.toAbsolutePath().normalize();
  }
}
