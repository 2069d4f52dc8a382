package dev.ipa.peer.api;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.util.Map;

/** Answers an unknown control action with 400 and one sentence. */
@Produces
@Singleton
@Requires(classes = {AdminController.UnknownAction.class, ExceptionHandler.class})
public class UnknownActionHandler implements ExceptionHandler<AdminController.UnknownAction, HttpResponse<Map<String, String>>> {
  @Override
  public HttpResponse<Map<String, String>> handle(HttpRequest request, AdminController.UnknownAction e) {
    return HttpResponse.badRequest(Map.of("error", e.getMessage()));
  }
}
