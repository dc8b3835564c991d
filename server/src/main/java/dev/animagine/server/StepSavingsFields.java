package dev.animagine.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.service.ImageRequest;

import java.util.Set;

/**
 * The step savings in a request body (native and A1111 APIs): {@code deepcache_interval} (DeepCache's
 * N: the full UNet every N-th call; 0 or absent = off) and {@code cfg_cutoff} (guidance off after a
 * fraction R of the steps; 1 or absent = off), as top-level extension fields or, for A1111 clients
 * that only pass settings, inside {@code override_settings}. A top-level value wins.
 */
final class StepSavingsFields {
    static final String DEEPCACHE = "deepcache_interval", CFG_CUTOFF = "cfg_cutoff";
    static final Set<String> NAMES = Set.of(DEEPCACHE, CFG_CUTOFF);
    static final int MAX_INTERVAL = 1000;

    private StepSavingsFields() {}

    static void apply(ObjectNode body, ObjectNode overrides, ImageRequest.Builder b) {
        int fromOverrides = Fields.int32(overrides, DEEPCACHE, 0, 0, MAX_INTERVAL);
        b.deepCacheInterval(Fields.int32(body, DEEPCACHE, fromOverrides, 0, MAX_INTERVAL));
        double cutoff = Fields.number(overrides, CFG_CUTOFF, 1, 0, 1);
        b.cfgCutoff(Fields.number(body, CFG_CUTOFF, cutoff, 0, 1));
    }

    /** The request field's API name. */
    static String apiName(String field) {
        return switch (field) {
            case "deepCacheInterval" -> DEEPCACHE;
            case "cfgCutoff" -> CFG_CUTOFF;
            default -> field;
        };
    }
}
