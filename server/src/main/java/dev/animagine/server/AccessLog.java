package dev.animagine.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.function.Consumer;

/** One JSON line per request: time, client, user, method, path, status, duration, job id. */
final class AccessLog {
    static final String JOB_ATTRIBUTE = "animagine.job";
    private final Consumer<String> sink;

    AccessLog(Consumer<String> sink) {
        this.sink = sink;
    }

    void log(Context ctx, Float millis) {
        ObjectNode o = Json.object();
        o.put("ts", Instant.now().toString());
        o.put("client", ctx.ip());
        Object user = ctx.attribute(Security.USER_ATTRIBUTE);
        if (user != null) o.put("user", user.toString());
        o.put("method", ctx.method().name());
        o.put("path", ctx.path());
        o.put("status", ctx.statusCode());
        o.put("ms", millis == null ? 0 : Math.round(millis * 10) / 10.0);
        Object job = ctx.attribute(JOB_ATTRIBUTE);
        if (job != null) o.put("job", job.toString());
        sink.accept(Json.write(o));
    }
}
