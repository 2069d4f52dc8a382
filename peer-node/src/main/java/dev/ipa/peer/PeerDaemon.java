package dev.ipa.peer;

import dev.ipa.peer.config.PeerConfig;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import io.micronaut.runtime.server.EmbeddedServer;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The peer daemon's entry point: {@code java -cp ... dev.ipa.peer.PeerDaemon --config peer.yml [-ipa.peer.id=a ...]}.
 *
 * <p>Configuration comes from Micronaut's sources, highest precedence first: command-line {@code -key=value}
 * arguments, system properties, environment variables ({@code IPA_PEER_ID}), the file given with
 * {@code --config} (or {@code MICRONAUT_CONFIG_FILES}), then the built-in {@code application.yml}. A bad
 * configuration ends start-up with one sentence on standard error and exit code 2.
 */
@OpenAPIDefinition(info = @Info(title = "ipa-peer", version = "0.1", description = "Admin API of an IPA peer daemon."))
@SecurityScheme(name = "basicAuth", type = SecuritySchemeType.HTTP, scheme = "basic")
public final class PeerDaemon {
  /** The Micronaut environment of {@link #checkConfiguration}: the peer itself ({@code PeerNode}) is not created. */
  public static final String CHECK_ENVIRONMENT = "ipa-config-check";

  private PeerDaemon() {}

  public static void main(String[] args) {
    // Named apart from logback.xml so the CLI, which embeds the daemon, keeps its own logging set-up.
    if (System.getProperty("logback.configurationFile") == null) System.setProperty("logback.configurationFile", "logback-peer.xml");
    ApplicationContext ctx;
    try {
      ctx = start(args);
    } catch (StartupFailure e) {
      System.err.println("ipa peer: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(ctx::close, "ipa-shutdown"));
  }

  /**
   * Starts the daemon (configuration, peer, admin HTTP server) and returns its running context; the caller
   * closes it. {@code --config FILE} names a YAML configuration file; other arguments are Micronaut
   * {@code -key=value} overrides.
   *
   * @throws StartupFailure with one sentence if the configuration is bad or a resource is unavailable
   */
  public static ApplicationContext start(String... args) {
    return run(false, args);
  }

  /**
   * Reads and validates the configuration exactly as {@link #start} does, without starting the peer, its
   * transport or the HTTP server: what a file and its overrides configure.
   *
   * @throws StartupFailure with one sentence if the configuration is bad
   */
  public static PeerConfig checkConfiguration(String... args) {
    try (ApplicationContext ctx = run(true, args)) {
      return ctx.getBean(PeerConfig.class);
    } catch (RuntimeException e) {
      if (e instanceof StartupFailure f) throw f;
      throw new StartupFailure(oneSentence(e), e);
    }
  }

  private static ApplicationContext run(boolean checkOnly, String... args) {
    List<String> rest = new ArrayList<>();
    String config = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) config = args[++i];
      else if (args[i].startsWith("--config=")) config = args[i].substring("--config=".length());
      else rest.add(args[i]);
    }
    if (config != null) {
      Path file = Path.of(config);
      if (!Files.isReadable(file)) throw new StartupFailure("The configuration file " + file + " does not exist or cannot be read.", null);
      // Micronaut reads the files named by this property when the environment starts.
      System.setProperty("micronaut.config.files", file.toAbsolutePath().toString());
    }
    var builder = Micronaut.build(rest.toArray(String[]::new)).mainClass(PeerDaemon.class).banner(false);
    if (checkOnly) builder.environments(CHECK_ENVIRONMENT);
    ApplicationContext ctx = builder.build();
    try {
      ctx.start();
      if (!checkOnly) {
        ctx.findBean(EmbeddedServer.class).ifPresent(server -> {
          server.start();
          warnIfExposed(ctx, server);
          // The one line an operator needs to find the dashboard; the host is what the server is bound to.
          LoggerFactory.getLogger(PeerDaemon.class).info("Dashboard and admin API at {}/ (user from ipa.admin.username); metrics at {}/prometheus.",
              server.getURL(), server.getURL());
        });
      }
      return ctx;
    } catch (RuntimeException e) {
      try {
        ctx.close();
      } catch (RuntimeException ignored) {
        // The start-up failure is what the user needs to see.
      }
      throw new StartupFailure(oneSentence(e), e);
    } finally {
      if (config != null) System.clearProperty("micronaut.config.files");
    }
  }

  /**
   * One WARN when the admin API listens beyond loopback over plain HTTP: it carries the admin password and can
   * stop the federation. The default is 127.0.0.1; listening elsewhere needs micronaut.server.host set. Whether the
   * port speaks TLS is read from the running server ({@code ipa.admin.tls}, or Micronaut's own key-store TLS).
   */
  private static void warnIfExposed(ApplicationContext ctx, EmbeddedServer server) {
    String host = ctx.getProperty("micronaut.server.host", String.class).orElse("0.0.0.0");
    if (!"https".equals(server.getScheme()) && !isLoopback(host)) {
      org.slf4j.LoggerFactory.getLogger(PeerDaemon.class).warn("The admin API listens on {} over plain HTTP: anyone who can reach it "
          + "sees the admin password in clear. Set ipa.admin.tls: true to serve it over HTTPS with this peer's certificate, "
          + "keep it inside the organisation's network, or set micronaut.server.host to 127.0.0.1.", host);
    }
  }

  static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /**
   * The sentence to show for a start-up failure: the message of the outermost cause thrown by this project
   * or the JDK, since Micronaut's wrappers describe its bean graph rather than the problem.
   */
  static String oneSentence(Throwable e) {
    Throwable pick = null;
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (!t.getClass().getName().startsWith("io.micronaut.") && t.getMessage() != null) {
        pick = t;
        break;
      }
    }
    String msg;
    if (pick == null) msg = e.getMessage();
    else if (pick instanceof java.net.BindException) msg = "The admin HTTP server cannot listen (micronaut.server.port): " + pick.getMessage();
    else msg = pick.getMessage();
    msg = msg == null ? e.toString() : msg.strip();
    return msg.endsWith(".") ? msg : msg + ".";
  }

  /** The daemon could not start; the message is one sentence for the operator. */
  public static final class StartupFailure extends RuntimeException {
    public StartupFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
