package dev.animagine.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;

import dev.animagine.core.pipeline.LivePreviews;
import dev.animagine.core.vae.tiny.TinyAutoencoderDecoder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * {@code animagine serve}: the A1111-compatible API ({@code /sdapi/v1}), the OpenAI-style images API
 * ({@code /v1}) and the native job API ({@code /api/v1}) over one loaded checkpoint and one job
 * queue. {@link #start()} binds, warms the model and returns; {@link #stop()} shuts down gracefully
 * (new jobs refused, waiting ones cancelled, the running one given a grace period).
 */
public final class AnimagineServer implements AutoCloseable {
    /** How long the running job may go on at shutdown before it is cancelled. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private final ServerOptions options;
    private final ModelHost host;
    private final JobQueue queue;
    private final LivePreviews previews;
    private final Javalin app;
    private final Consumer<String> log;
    private volatile boolean stopped;

    static {
        // Jetty logs every start and stop at INFO; only its warnings matter next to the access log
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    public AnimagineServer(ServerOptions options, Consumer<String> log) {
        this.options = options;
        this.log = log;
        ModelCatalog catalog = ModelCatalog.of(options.model(), options.modelsDir(), options.loraDir());
        this.previews = livePreviews(options);
        this.host = new ModelHost(catalog, options.checkpointOptions(), options.tokenizerDir());
        this.queue = new JobQueue(host, options.outputs(), options.queueSize(), options.previewEvery(), previews);
        Security security = new Security(options.credentials(), options.corsOrigins());
        AccessLog access = new AccessLog(log);
        A1111Api a1111 = new A1111Api(options, host, queue);
        OpenAiApi openAi = new OpenAiApi(options, host, queue);
        JobApi jobs = new JobApi(options, host, queue);
        this.app = Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            config.http.maxRequestSize = options.limits().maxBodyBytes();
            // uploads (OpenAI edits) are bounded the same way, and kept in memory up to 1 MB
            config.jetty.multipartConfig.maxTotalRequestSize(options.limits().maxBodyBytes(), io.javalin.config.SizeUnit.BYTES);
            config.jetty.multipartConfig.maxFileSize(options.limits().maxBodyBytes(), io.javalin.config.SizeUnit.BYTES);
            config.jetty.multipartConfig.maxInMemoryFileSize(1, io.javalin.config.SizeUnit.MB);
            config.jetty.host = options.host();
            config.jetty.port = options.port();
            config.startup.showJavalinBanner = false;
            // The web UI: static files from the classpath, index.html at /.
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/webui";
                files.location = Location.CLASSPATH;
            });
            config.requestLogger.http(access::log);
            RoutesConfig routes = config.routes;
            routes.before(ctx -> {
                if (security.handle(ctx)) {
                    ctx.skipRemainingHandlers();
                    return;
                }
                long length = ctx.contentLength();
                if (length > options.limits().maxBodyBytes())
                    throw ApiException.tooLarge(null, "the request body is " + length + " bytes, at most " + options.limits().maxBodyBytes());
            });
            a1111.register(routes);
            openAi.register(routes);
            jobs.register(routes);
            routes.exception(ApiException.class, (e, ctx) -> answer(ctx, e.status(), e.error(), e.getMessage(), e.field(), e));
            // engine validation outside the mappings (e.g. the prompt preview): a 422 naming the field
            routes.exception(dev.animagine.core.InvalidRequestException.class, (e, ctx) ->
                    answer(ctx, 422, "HTTPException", e.getMessage(), e.field(), null));
            routes.exception(dev.animagine.core.InvalidArgumentException.class, (e, ctx) ->
                    answer(ctx, 422, "HTTPException", e.getMessage(), null, null));
            routes.exception(SyncWait.ClientGone.class, (e, ctx) -> ctx.status(499));
            routes.exception(HttpResponseException.class, (e, ctx) ->
                    answer(ctx, e.getStatus(), "HTTPException", e.getStatus() == 404 ? "Not Found" : e.getMessage(), null, null));
            routes.exception(Exception.class, (e, ctx) -> {
                log.accept("{\"error\":" + Json.MAPPER.valueToTree(String.valueOf(e)) + ",\"path\":" + Json.MAPPER.valueToTree(ctx.path()) + "}");
                answer(ctx, 500, e.getClass().getSimpleName(), "internal error: " + e.getMessage(), null, null);
            });
            routes.error(404, ctx -> {
                String result = ctx.result();
                if (result == null || result.isEmpty() || !result.startsWith("{")) answer(ctx, 404, "HTTPException", "Not Found", null, null);
            });
            routes.error(405, ctx -> answer(ctx, 405, "HTTPException", "Method Not Allowed", null, null));
        });
    }

    /** --taesd, else the models folder's TAESD-XL decoder, else the linear fit; a bad file stops the start. */
    private static LivePreviews livePreviews(ServerOptions options) {
        Path taesd = options.taesd();
        if (taesd == null) taesd = LivePreviews.findInModelsDir(options.modelsDir()).orElse(null);
        return taesd == null ? LivePreviews.cheap() : new LivePreviews(TinyAutoencoderDecoder.load(taesd));
    }

    private static void answer(Context ctx, int status, String error, String detail, String field, ApiException e) {
        if (e != null) e.headers().forEach(ctx::header);
        ObjectNode body = ErrorShapes.forPath(ctx.path(), status, error, detail, field);
        ctx.status(status);
        ctx.contentType("application/json");
        ctx.result(Json.write(body));
    }

    /** Binds the port and, unless disabled, warms the model with a tiny generation. */
    public AnimagineServer start() {
        if (options.warmUp()) host.warmUp();
        app.start();
        return this;
    }

    /** The port bound (useful with port 0). */
    public int port() {
        return app.port();
    }

    public JobQueue queue() {
        return queue;
    }

    public ModelHost host() {
        return host;
    }

    /** How live previews are drawn (TAESD or the linear fit). */
    public LivePreviews previews() {
        return previews;
    }

    /** Graceful shutdown: refuse new jobs, cancel waiting ones, let the running one finish briefly, close. */
    public synchronized void stop() {
        if (stopped) return;
        stopped = true;
        queue.shutdown(SHUTDOWN_GRACE);
        app.stop();
        host.close();
        previews.close();
    }

    @Override
    public void close() {
        stop();
    }
}
