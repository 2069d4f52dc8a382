package dev.ipa.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContext;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS provider a peer's contexts are built with, and how it is chosen. */
class TlsProviderTest {
  @TempDir Path dir;

  @Test
  void theShippedNativeLibraryLoadsSoAutoPicksOpenSsl() throws Exception {
    // netty-tcnative-boringssl-static is a dependency of this module: on linux-x86_64 it must load, or every
    // peer would silently run at the JDK's speed.
    assertThat(OpenSsl.isAvailable()).as("OpenSSL unavailable: %s", OpenSsl.unavailabilityCause()).isTrue();
    FederationCertificates.generate("fed", List.of("alice"), dir);
    FederationTls auto = FederationTls.load(TlsFiles.inDirectory(dir.resolve("alice")));
    assertThat(auto.provider()).isEqualTo(TlsProvider.OPENSSL);
    assertThat(auto.serverContext()).isInstanceOf(OpenSslContext.class);
    assertThat(auto.clientContext()).isInstanceOf(OpenSslContext.class);
  }

  @Test
  void eachForcedProviderBuildsItsOwnContextsFromTheSameFiles() throws Exception {
    FederationCertificates.generate("fed", List.of("alice"), dir);
    TlsFiles files = TlsFiles.inDirectory(dir.resolve("alice"));
    FederationTls jdk = FederationTls.load(files, TlsProvider.JDK);
    FederationTls openssl = FederationTls.load(files, TlsProvider.OPENSSL);
    assertThat(jdk.provider()).isEqualTo(TlsProvider.JDK);
    assertThat(jdk.serverContext()).isInstanceOf(JdkSslContext.class);
    assertThat(openssl.serverContext()).isInstanceOf(OpenSslContext.class);
    for (FederationTls t : List.of(jdk, openssl)) {
      assertThat(t.localIdentity()).isEqualTo("alice");
      assertThat(t.serverContext().isServer()).isTrue();
      assertThat(t.clientContext().isClient()).isTrue();
    }
  }

  @Test
  void theKeyParsesInAnyCaseAndAnUnknownValueSaysWhatIsAllowed() {
    assertThat(TlsProvider.parse(" OpenSSL ")).isEqualTo(TlsProvider.OPENSSL);
    assertThat(TlsProvider.parse("jdk")).isEqualTo(TlsProvider.JDK);
    assertThat(TlsProvider.OPENSSL.key()).isEqualTo("openssl");
    assertThatThrownBy(() -> TlsProvider.parse("boringssl")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown TLS provider 'boringssl'; use auto (OpenSSL when it loads, else the JDK), openssl or jdk.");
  }
}
