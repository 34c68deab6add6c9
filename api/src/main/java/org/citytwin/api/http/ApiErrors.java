package org.citytwin.api.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.citytwin.twin.ErrorCode;
import org.eclipse.ditto.base.model.common.HttpStatus;
import org.eclipse.ditto.base.model.exceptions.DittoJsonException;
import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.eclipse.ditto.json.JsonFactory;
import org.eclipse.ditto.json.JsonObject;
import org.eclipse.ditto.json.JsonRuntimeException;
import org.eclipse.ditto.things.model.signals.commands.exceptions.ThingPreconditionNotModifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The API's own error codes, and the one place that writes any error as a Ditto error body. */
public final class ApiErrors {

  /** The body of a 500: what went wrong is logged, not told. Also the WebSocket's. */
  static final String INTERNAL_ERROR_BODY =
      "{\"status\":500,\"error\":\"api:internal\",\"message\":\"An unexpected error occurred.\","
          + "\"description\":\"It has been logged; report the time of the request.\"}";

  /** Lets the request on only for a caller that reads the whole district. */
  static void onlyWholeDistrict(RoutingContext context) {
    if (!ApiAuthentication.caller(context).wholeDistrict()) {
      throw ACCESS_DENIED.toException(
          context.request().method()
              + " "
              + context.request().path()
              + " needs the district role.");
    }
    context.next();
  }

  public static final ErrorCode ROUTE_NOT_FOUND =
      new ErrorCode(
          "api:route.notfound",
          HttpStatus.NOT_FOUND,
          "Check the path; the API's resources live under /api/2/things, /api/incidents and /api/history.");

  public static final ErrorCode METHOD_NOT_ALLOWED =
      new ErrorCode(
          "api:method.notallowed",
          HttpStatus.METHOD_NOT_ALLOWED,
          "The resource exists but does not take this method.");

  public static final ErrorCode ACCESS_DENIED =
      new ErrorCode(
          "api:access.denied",
          HttpStatus.FORBIDDEN,
          "This resource spans every department: use a token with the district role.");

  public static final ErrorCode MESSAGE_INVALID =
      new ErrorCode(
          "api:message.invalid",
          HttpStatus.BAD_REQUEST,
          "Send a Ditto Protocol twin command on a thing, or START-SEND-EVENTS / STOP-SEND-EVENTS.");

  public static final ErrorCode PARAMETER_INVALID =
      new ErrorCode(
          "api:parameter.invalid", HttpStatus.BAD_REQUEST, "Correct the named query parameter.");

  public static final ErrorCode IDS_MISSING =
      new ErrorCode(
          "api:things.ids-missing",
          HttpStatus.BAD_REQUEST,
          "List things with ids=ns:a,ns:b, subscribe with Accept: text/event-stream, or search under /api/2/search/things.");

  public static final ErrorCode CONTENT_TYPE_UNSUPPORTED =
      new ErrorCode(
          "api:content-type.unsupported",
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          "Send the body with the content type the resource takes.");

  public static final ErrorCode BODY_MISSING =
      new ErrorCode(
          "api:body.invalid",
          HttpStatus.BAD_REQUEST,
          "Send the JSON the resource takes in the request body.");

  public static final ErrorCode MODEL_NOT_FOUND =
      new ErrorCode(
          "api:model.notfound",
          HttpStatus.NOT_FOUND,
          "GET /api/models lists the thing models citytwin knows.");

  public static final ErrorCode GEO_INVALID =
      new ErrorCode(
          "api:geo.invalid",
          HttpStatus.BAD_REQUEST,
          "Use geo=within(zone:<id>), within(<WKT polygon>), intersects(<WKT>) or near(<lon>,<lat>,<metres>).");

  public static final ErrorCode BODY_TOO_LARGE =
      new ErrorCode(
          "api:body.too-large", HttpStatus.REQUEST_ENTITY_TOO_LARGE, "Send a smaller body.");

  public static final ErrorCode UPSTREAM_UNAVAILABLE =
      new ErrorCode(
          "api:service.unavailable",
          HttpStatus.SERVICE_UNAVAILABLE,
          "A part of citytwin did not answer in time; try again shortly.");

  public static final ErrorCode URI_TOO_LONG =
      new ErrorCode(
          "api:uri.too-long",
          HttpStatus.REQUEST_URI_TOO_LONG,
          "Send at most 16 KiB of request line (method, path and query): shorten the filter, or"
              + " split a long in(...) into several searches.");

  public static final ErrorCode HEADERS_TOO_LARGE =
      new ErrorCode(
          "api:headers.too-large",
          HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "Send at most 8 KiB of headers.");

  public static final ErrorCode REQUEST_MALFORMED =
      new ErrorCode(
          "api:request.malformed",
          HttpStatus.BAD_REQUEST,
          "Send a well-formed HTTP/1.1 request: a method, a path and the HTTP version on the first"
              + " line, then headers.");

  /** The error code of the 500 answer. */
  static final String INTERNAL_ERROR_CODE = "api:internal";

  private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

  private ApiErrors() {}

  /**
   * Hands on to {@code routes} only requests whose path and query string decode, and answers the
   * others with a Ditto error (counted). Vert.x Web decodes the path while matching routes and the
   * query on the first read of a parameter; a bad escape ({@code %zz}) would fail there, outside
   * any route or with no cause to tell, as a 500.
   */
  public static Handler<HttpServerRequest> refusingUndecodable(
      Handler<HttpServerRequest> routes, ApiRefusals refusals) {
    return request -> {
      DittoRuntimeException error = null;
      try {
        URLDecoder.decode(request.path(), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException undecodable) {
        error =
            REQUEST_MALFORMED.toException(
                "The path is not valid percent-encoding: " + undecodable.getMessage());
      }
      if (error == null) {
        try {
          request.params();
        } catch (IllegalArgumentException undecodable) {
          error =
              PARAMETER_INVALID.toException(
                  "The query string is not valid percent-encoding: " + undecodable.getMessage());
        }
      }
      if (error == null) {
        routes.handle(request);
        return;
      }
      refusals.count(error.getHttpStatus().getCode(), error.getErrorCode());
      write(request.response(), error);
    };
  }

  /** Answers a failed request: Ditto errors with their body, anything else as a logged 500. */
  public static void handleFailure(RoutingContext context) {
    // Ditto's JSON library (pointers, field selectors) throws its own unchecked exceptions; Ditto
    // answers them as DittoJsonException (json.pointer.invalid, json.fieldselector.invalid, ...).
    Throwable failure =
        context.failure() instanceof JsonRuntimeException json
            ? new DittoJsonException(json)
            : context.failure();
    if (failure instanceof ThingPreconditionNotModifiedException) {
      // 304 carries no body; the route has already set the ETag.
      context.response().setStatusCode(304);
      context.response().end();
    } else if (failure instanceof DittoRuntimeException error) {
      write(context, error);
    } else if (failure == null && context.statusCode() == 413) {
      write(context, BODY_TOO_LARGE.toException("The request body is too large."));
    } else if (failure == null && context.statusCode() == 404) {
      write(context, ROUTE_NOT_FOUND.toException("No resource at " + context.request().path()));
    } else if (failure == null && context.statusCode() == 405) {
      write(
          context,
          METHOD_NOT_ALLOWED.toException(context.request().method() + " is not allowed here."));
    } else if (context.statusCode() == 400) {
      // Vert.x Web's own refusal with a bare status (an empty path, say): still Ditto's form.
      write(
          context,
          REQUEST_MALFORMED.toException(
              "The request could not be read"
                  + (failure == null ? "." : ": " + failure.getMessage())));
    } else {
      LOG.error(
          "unexpected failure ({}) on {} {}",
          context.statusCode(),
          context.request().method(),
          context.request().path(),
          failure);
      if (!context.response().headWritten()) {
        ApiRefusals.noteErrorCode(context, INTERNAL_ERROR_CODE);
        context
            .response()
            .setStatusCode(500)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(INTERNAL_ERROR_BODY);
      }
    }
  }

  /**
   * Answers the failure of a request to another part over the event bus: the part's own refusal (an
   * HTTP status with its Ditto error's JSON) as it is, anything else (no answer in time, no such
   * part) as 503.
   *
   * @param part what was asked, for the message: "Fusion", "The twin service"
   */
  public static void replyFailure(RoutingContext context, Throwable failure, String part) {
    if (failure instanceof io.vertx.core.eventbus.ReplyException reply
        && reply.failureCode() >= 400
        && reply.failureCode() < 600) {
      writeRaw(context, reply.failureCode(), reply.getMessage());
    } else {
      context.fail(UPSTREAM_UNAVAILABLE.toException(part + " did not answer."));
    }
  }

  /**
   * Answers with an error body another part already rendered (a Ditto error's JSON), read once:
   * completed ({@link #complete}) and its code noted for the count of error answers.
   */
  private static void writeRaw(RoutingContext context, int status, String dittoErrorJson) {
    String body = dittoErrorJson;
    String code = ApiRefusals.NO_CODE;
    try {
      JsonObject error = complete(JsonFactory.newObject(dittoErrorJson));
      body = error.toString();
      code = error.getValue("error").filter(v -> v.isString()).map(v -> v.asString()).orElse(code);
    } catch (RuntimeException notJson) {
      // Answered as it came: the part's text is all there is to tell.
    }
    ApiRefusals.noteErrorCode(context, code);
    context
        .response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body);
  }

  /** Answers with a Ditto error, noting its code for the count of error answers. */
  static void write(RoutingContext context, DittoRuntimeException error) {
    ApiRefusals.noteErrorCode(context, error.getErrorCode());
    write(context.response(), error);
  }

  /**
   * Answers a request the server could not read as HTTP (a request line or headers over Netty's
   * limits, a malformed request line) with a Ditto error instead of Vert.x's bare status, counts
   * it, and closes the connection, as Vert.x does: what followed on it cannot be trusted.
   */
  public static Handler<HttpServerRequest> invalidRequestHandler(ApiRefusals refusals) {
    return request -> {
      Throwable cause = request.decoderResult().cause();
      DittoRuntimeException error =
          cause instanceof io.netty.handler.codec.http.TooLongHttpLineException
              ? URI_TOO_LONG.toException("The request line is longer than the server reads.")
              : cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException
                  ? HEADERS_TOO_LARGE.toException(
                      "The request headers are larger than the server reads.")
                  : REQUEST_MALFORMED.toException(
                      "The request could not be read as HTTP: "
                          + (cause == null ? "malformed" : cause.getMessage()));
      refusals.count(error.getHttpStatus().getCode(), error.getErrorCode());
      request
          .response()
          .setStatusCode(error.getHttpStatus().getCode())
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .putHeader(HttpHeaders.CONNECTION, "close")
          .end(body(error).toString())
          .onComplete(written -> request.connection().close());
    };
  }

  public static void write(HttpServerResponse response, DittoRuntimeException error) {
    if (response.headWritten()) {
      response.reset();
      return;
    }
    response
        .setStatusCode(error.getHttpStatus().getCode())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body(error).toString());
  }

  /** A Ditto error's JSON body, always with a message and a description ({@link #complete}). */
  public static JsonObject body(DittoRuntimeException error) {
    return complete(error.toJson());
  }

  /**
   * A Ditto error's JSON with a message and a description: some of Ditto's own errors come without
   * one or the other (a JSON value of the wrong type, {@code json.format.invalid}; a message that
   * is no JSON at all, {@code json.invalid}), and a client should always be told what went wrong
   * and what to do next.
   */
  public static JsonObject complete(JsonObject error) {
    JsonObject completed = error;
    String code =
        error.getValue("error").filter(v -> v.isString()).map(v -> v.asString()).orElse("");
    if (!hasText(error, "message")) {
      completed = completed.setValue("message", "The request was refused: " + code + ".");
    }
    if (!hasText(error, "description")) {
      int status =
          error.getValue("status").filter(v -> v.isNumber()).map(v -> v.asInt()).orElse(400);
      completed =
          completed.setValue(
              "description",
              status == 404
                  ? "Check the id and that your department may read it."
                  : status == 403 || status == 401
                      ? "Check your credentials and what your department may do."
                      : status < 500
                          ? "Correct the request as the message says and send it again."
                          : "Try again shortly.");
    }
    return completed;
  }

  private static boolean hasText(JsonObject error, String field) {
    return error.getValue(field).filter(v -> v.isString() && !v.asString().isBlank()).isPresent();
  }
}
