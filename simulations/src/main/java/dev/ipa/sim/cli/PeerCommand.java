package dev.ipa.sim.cli;

import dev.ipa.peer.PeerDaemon;
import dev.ipa.peer.federation.PeerNode;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code ipa peer}: runs the peer daemon of module {@code peer-node} in this process, until Ctrl-C (or, with
 * {@code --exit-when-done}, until its federation thread ends). Configuration errors end with one sentence and
 * exit code 2, like every other subcommand.
 */
@Command(name = "peer", mixinStandardHelpOptions = true, description = {
    "Run a peer daemon: trains on its shard, exchanges snapshots with its peers over mutual TLS, checkpoints after every round, serves the admin API.",
    "Extra -key=value arguments override the configuration file, e.g. -ipa.peer.id=b -micronaut.server.port=8082."})
public final class PeerCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (see peer-node/examples/peer-a.yml).")
  Path config;

  @Option(names = "--exit-when-done", description = "Exit once the federation has finished its rounds or stopped, instead of serving the API until Ctrl-C.")
  boolean exitWhenDone;

  @Unmatched List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() throws InterruptedException {
    List<String> args = new ArrayList<>();
    if (config != null) {
      args.add("--config");
      args.add(config.toString());
    }
    args.addAll(overrides);
    ApplicationContext ctx;
    try {
      ctx = PeerDaemon.start(args.toArray(String[]::new));
    } catch (PeerDaemon.StartupFailure e) {
      throw new Ipa.UserError(e.getMessage());
    }
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      ctx.close();
      closed.countDown();
    }, "ipa-peer-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    if (exitWhenDone) {
      PeerNode node = ctx.getBean(PeerNode.class);
      while (!node.state().ended()) node.join(Duration.ofSeconds(1));
      Runtime.getRuntime().removeShutdownHook(hook);
      ctx.close();
      return 0;
    }
    closed.await();
    return 0;
  }
}
