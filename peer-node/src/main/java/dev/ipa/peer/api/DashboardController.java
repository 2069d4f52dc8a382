package dev.ipa.peer.api;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * Serves the web dashboard at {@code /}, behind the same admin credentials as the API. The page is static
 * ({@code dashboard/index.html} on the class path, with its script and style under {@code /dashboard/}); it polls
 * the admin API every 2 s and draws its charts with uPlot from the {@code org.webjars.npm:uplot} jar, served
 * under {@code /webjars/}. This controller only fills in the uPlot path, so the page names the version the
 * build resolved. Stateless and thread-safe; the page is read once, at construction.
 */
@Controller
@Secured(SecurityRule.IS_AUTHENTICATED)
@Hidden
public class DashboardController {
  private final String page;

  public DashboardController() {
    this.page = resource("dashboard/index.html").replace("@UPLOT@", "/webjars/uplot/" + uplotVersion() + "/dist");
  }

  @Get(value = "/", produces = MediaType.TEXT_HTML)
  public HttpResponse<String> index() {
    return HttpResponse.ok(page).header("Cache-Control", "no-store");
  }

  private static String uplotVersion() {
    Properties p = new Properties();
    try (InputStream in = DashboardController.class.getClassLoader().getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      if (in == null) throw new IllegalStateException("The uPlot webjar (org.webjars.npm:uplot) is not on the class path; the dashboard needs it.");
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }

  private static String resource(String name) {
    try (InputStream in = DashboardController.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException(name + " is missing from the class path; the build did not package the dashboard.");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
