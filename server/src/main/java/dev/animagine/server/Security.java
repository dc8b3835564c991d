package dev.animagine.server;

import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * HTTP Basic on every route (the LoRA and static routes too) and CORS for the allowed origins only.
 * Runs before every handler. A CORS preflight from an allowed origin is answered here without
 * credentials, as browsers send none with it.
 */
final class Security {
    static final String USER_ATTRIBUTE = "animagine.user";
    private final Map<String, String> credentials;
    private final List<String> origins;

    Security(Map<String, String> credentials, List<String> origins) {
        this.credentials = credentials;
        this.origins = origins;
    }

    /** Returns true when the request was answered here (a preflight). */
    boolean handle(Context ctx) {
        String origin = ctx.header("Origin");
        boolean allowed = origin != null && (origins.contains("*") || origins.contains(origin));
        if (allowed) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Vary", "Origin");
            ctx.header("Access-Control-Allow-Credentials", "true");
            ctx.header("Access-Control-Expose-Headers", "Retry-After, WWW-Authenticate");
        }
        boolean preflight = ctx.method().name().equals("OPTIONS") && ctx.header("Access-Control-Request-Method") != null;
        if (preflight) {
            if (!allowed) throw new ApiException(403, "HTTPException", null, "CORS: origin " + (origin == null ? "(none)" : "'" + origin + "'")
                    + " is not allowed (start the server with --cors-allow-origins)");
            ctx.header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
            String requested = ctx.header("Access-Control-Request-Headers");
            ctx.header("Access-Control-Allow-Headers", requested == null ? "Authorization, Content-Type" : requested);
            ctx.header("Access-Control-Max-Age", "600");
            ctx.status(204);
            return true;
        }
        authenticate(ctx);
        return false;
    }

    private void authenticate(Context ctx) {
        if (credentials.isEmpty()) return;
        String header = ctx.header("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    String user = decoded.substring(0, colon);
                    String expected = credentials.get(user);
                    // compare in constant time; an unknown user is compared against itself to take as long
                    byte[] given = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
                    byte[] want = (expected == null ? decoded.substring(colon + 1) + "x" : expected).getBytes(StandardCharsets.UTF_8);
                    if (MessageDigest.isEqual(given, want) && expected != null) {
                        ctx.attribute(USER_ATTRIBUTE, user);
                        return;
                    }
                }
            } catch (IllegalArgumentException malformed) {
                // reported as any wrong credentials
            }
        }
        throw new ApiException(401, "HTTPException", null, "Incorrect username or password")
                .header("WWW-Authenticate", "Basic realm=\"animagine\", charset=\"UTF-8\"");
    }
}
