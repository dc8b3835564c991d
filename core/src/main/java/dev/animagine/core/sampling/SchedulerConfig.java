package dev.animagine.core.sampling;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.AnimagineException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A scheduler's configuration with diffusers' (v0.27.2) key names and semantics: what
 * {@code SchedulerClass.from_config(scheduler_config.json)} resolves to. Keys the class does not
 * know are ignored, missing keys take that class's constructor defaults (which differ: DDIM
 * defaults to {@code leading} spacing and {@code clip_sample}, the others to {@code linspace}).
 * Field names are the config keys in camel case.
 */
public record SchedulerConfig(
        SchedulerType type,
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        String betaSchedule,
        double[] trainedBetas,
        String predictionType,
        String timestepSpacing,
        int stepsOffset,
        boolean rescaleBetasZeroSnr,
        // EulerDiscrete
        String interpolationType,
        String timestepType,
        boolean useKarrasSigmas,
        Double sigmaMin,
        Double sigmaMax,
        // multistep solvers
        int solverOrder,
        String algorithmType,
        String solverType,
        boolean lowerOrderFinal,
        boolean eulerAtFinal,
        String finalSigmasType,
        double lambdaMinClipped,
        boolean predictX0,
        List<Integer> disableCorrector,
        // DDIM
        boolean clipSample,
        double clipSampleRange,
        boolean setAlphaToOne) {

    /** diffusers writes {@code lambda_min_clipped} as {@code -Infinity} (Python's json), so accept it. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** The SDXL base scheduler config ({@code scheduler/scheduler_config.json} of the SDXL repo). */
    public static final String SDXL_JSON = """
            {"_class_name": "EulerDiscreteScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear",
             "beta_start": 0.00085, "clip_sample": false, "interpolation_type": "linear",
             "num_train_timesteps": 1000, "prediction_type": "epsilon", "sample_max_value": 1.0,
             "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1,
             "timestep_spacing": "leading", "trained_betas": null, "use_karras_sigmas": false}""";

    /** The SDXL base config, for checkpoints that ship no scheduler config. */
    public static SchedulerJson sdxlJson() {
        return SchedulerJson.sdxl();
    }

    static JsonNode sdxlTree() {
        try {
            return JSON.readTree(SDXL_JSON);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads {@code scheduler_config.json}; errors name the file. */
    public static SchedulerJson readJson(Path file) {
        return SchedulerJson.read(file);
    }

    static JsonNode parseTree(String json, String origin) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.isObject()) throw new AnimagineException(origin + ": not a JSON object");
            return n;
        } catch (IOException e) {
            throw new AnimagineException(origin + ": cannot read scheduler config (" + e.getMessage() + ")");
        }
    }

    static JsonNode readTree(Path file) {
        try {
            JsonNode n = JSON.readTree(Files.readString(file));
            if (n == null || !n.isObject()) throw new AnimagineException(file + ": not a JSON object");
            return n;
        } catch (NoSuchFileException e) {
            throw new AnimagineException(file + ": scheduler config not found");
        } catch (IOException e) {
            throw new AnimagineException(file + ": cannot read scheduler config (" + e.getMessage() + ")");
        }
    }

    /** {@code type.from_config(json)}; {@code origin} (a file name) is quoted in errors. */
    public static SchedulerConfig fromJson(SchedulerType type, SchedulerJson json, String origin) {
        return fromJson(type, json == null ? null : json.tree(), Map.of(), origin);
    }

    /** As {@link #fromJson(SchedulerType, SchedulerJson, String)} with keyword overrides, like {@code from_config(config, **overrides)}. */
    public static SchedulerConfig fromJson(SchedulerType type, SchedulerJson json, Map<String, ?> overrides, String origin) {
        return fromJson(type, json == null ? null : json.tree(), overrides, origin);
    }

    static SchedulerConfig fromJson(SchedulerType type, JsonNode json, String origin) {
        return fromJson(type, json, Map.of(), origin);
    }

    static SchedulerConfig fromJson(SchedulerType type, JsonNode json, Map<String, ?> overrides, String origin) {
        ObjectNode c = defaults(type);
        Set<String> known = knownKeys(type);
        if (json != null) json.properties().forEach(e -> {
            if (known.contains(e.getKey())) c.set(e.getKey(), e.getValue());
        });
        overrides.forEach((k, v) -> {
            if (known.contains(k)) c.set(k, JSON.valueToTree(v));
        });
        Reader r = new Reader(c, origin);
        SchedulerConfig config = new SchedulerConfig(
                type,
                r.positiveInt("num_train_timesteps"),
                r.number("beta_start"),
                r.number("beta_end"),
                r.oneOf("beta_schedule", "linear", "scaled_linear", "squaredcos_cap_v2"),
                r.numbersOrNull("trained_betas"),
                r.oneOf("prediction_type", "epsilon", "v_prediction", "sample"),
                r.oneOf("timestep_spacing", "linspace", "leading", "trailing"),
                r.integer("steps_offset"),
                r.bool("rescale_betas_zero_snr"),
                r.oneOf("interpolation_type", "linear", "log_linear"),
                r.oneOf("timestep_type", "discrete", "continuous"),
                r.bool("use_karras_sigmas"),
                r.numberOrNull("sigma_min"),
                r.numberOrNull("sigma_max"),
                r.positiveInt("solver_order"),
                r.oneOf("algorithm_type", "dpmsolver++", "sde-dpmsolver++", "dpmsolver", "sde-dpmsolver", "deis"),
                r.oneOf("solver_type", "midpoint", "heun", "logrho", "bh1", "bh2"),
                r.bool("lower_order_final"),
                r.bool("euler_at_final"),
                r.oneOf("final_sigmas_type", "zero", "sigma_min"),
                r.numberOrInfinity("lambda_min_clipped"),
                r.bool("predict_x0"),
                r.integers("disable_corrector"),
                r.bool("clip_sample"),
                r.number("clip_sample_range"),
                r.bool("set_alpha_to_one"));
        if (config.trainedBetas != null && config.trainedBetas.length != config.numTrainTimesteps)
            throw new AnimagineException(origin + ": trained_betas has " + config.trainedBetas.length
                    + " values but num_train_timesteps is " + config.numTrainTimesteps);
        if (config.numTrainTimesteps < 2) throw new AnimagineException(origin + ": num_train_timesteps must be at least 2");
        r.requireFalse("thresholding", "dynamic thresholding is not supported");
        r.requireNull("variance_type", "learned variance is not supported");
        r.requireFalse("use_lu_lambdas", "use_lu_lambdas is not supported");
        r.requireNull("solver_p", "a separate predictor scheduler (solver_p) is not supported");
        return config;
    }

    /**
     * The keys each class reads: its constructor parameters, plus {@code sigma_min}/{@code sigma_max},
     * which the Karras conversion of DPM-Solver and UniPC looks up on the config when present.
     */
    private static Set<String> knownKeys(SchedulerType type) {
        Set<String> k = new java.util.HashSet<>(Set.of("num_train_timesteps", "beta_start", "beta_end", "beta_schedule",
                "trained_betas", "prediction_type", "timestep_spacing", "steps_offset"));
        Set<String> solver = Set.of("solver_order", "thresholding", "solver_type", "lower_order_final",
                "use_karras_sigmas", "sigma_min", "sigma_max");
        switch (type) {
            case EULER_DISCRETE -> k.addAll(Set.of("interpolation_type", "use_karras_sigmas", "sigma_min", "sigma_max",
                    "timestep_type", "rescale_betas_zero_snr"));
            case EULER_ANCESTRAL_DISCRETE -> k.add("rescale_betas_zero_snr");
            case DPM_SOLVER_MULTISTEP -> {
                k.addAll(solver);
                k.addAll(Set.of("algorithm_type", "euler_at_final", "use_lu_lambdas", "final_sigmas_type",
                        "lambda_min_clipped", "variance_type", "rescale_betas_zero_snr"));
            }
            case DDIM -> k.addAll(Set.of("clip_sample", "set_alpha_to_one", "thresholding", "clip_sample_range",
                    "rescale_betas_zero_snr"));
            case UNIPC_MULTISTEP -> {
                k.addAll(solver);
                k.addAll(Set.of("predict_x0", "disable_corrector", "solver_p"));
            }
        }
        return k;
    }

    /** The constructor defaults of each diffusers v0.27.2 class, for keys a config omits. */
    private static ObjectNode defaults(SchedulerType type) {
        ObjectNode d = JSON.createObjectNode();
        d.put("num_train_timesteps", 1000).put("beta_start", 0.0001).put("beta_end", 0.02)
                .put("beta_schedule", "linear").putNull("trained_betas").put("prediction_type", "epsilon")
                .put("timestep_spacing", "linspace").put("steps_offset", 0).put("rescale_betas_zero_snr", false)
                .put("interpolation_type", "linear").put("timestep_type", "discrete").put("use_karras_sigmas", false)
                .putNull("sigma_min").putNull("sigma_max")
                .put("solver_order", 2).put("algorithm_type", "dpmsolver++").put("lower_order_final", true)
                .put("euler_at_final", false).put("final_sigmas_type", "zero").putNull("lambda_min_clipped")
                .put("predict_x0", true).putArray("disable_corrector");
        d.put("solver_type", type == SchedulerType.UNIPC_MULTISTEP ? "bh2" : "midpoint");
        boolean ddim = type == SchedulerType.DDIM;
        d.put("clip_sample", ddim).put("clip_sample_range", 1.0).put("set_alpha_to_one", ddim);
        if (ddim) d.put("timestep_spacing", "leading");
        return d;
    }

    /** Typed access to the merged config, with one-line errors naming the origin and key. */
    private record Reader(ObjectNode c, String origin) {
        private AnimagineException bad(String key, String what) {
            return new AnimagineException(origin + ": " + key + " " + what);
        }

        double number(String key) {
            JsonNode n = c.get(key);
            if (n == null || !n.isNumber()) throw bad(key, "must be a number, not " + n);
            return n.asDouble();
        }

        Double numberOrNull(String key) {
            JsonNode n = c.get(key);
            return n == null || n.isNull() ? null : number(key);
        }

        double numberOrInfinity(String key) {
            Double d = numberOrNull(key);
            return d == null ? Double.NEGATIVE_INFINITY : d;
        }

        int integer(String key) {
            JsonNode n = c.get(key);
            if (n == null || !n.canConvertToInt() || !(n.isIntegralNumber() || n.asDouble() == n.asInt()))
                throw bad(key, "must be an integer, not " + n);
            return n.asInt();
        }

        int positiveInt(String key) {
            int v = integer(key);
            if (v < 1) throw bad(key, "must be at least 1, not " + v);
            return v;
        }

        boolean bool(String key) {
            JsonNode n = c.get(key);
            if (n == null || !n.isBoolean()) throw bad(key, "must be true or false, not " + n);
            return n.asBoolean();
        }

        String oneOf(String key, String... allowed) {
            JsonNode n = c.get(key);
            String v = n == null || n.isNull() ? null : n.asText();
            if (v == null || !Set.of(allowed).contains(v))
                throw bad(key, "'" + v + "' is not one of " + String.join(", ", allowed));
            return v;
        }

        double[] numbersOrNull(String key) {
            JsonNode n = c.get(key);
            if (n == null || n.isNull()) return null;
            if (!n.isArray()) throw bad(key, "must be a list of numbers");
            double[] out = new double[n.size()];
            for (int i = 0; i < out.length; i++) {
                if (!n.get(i).isNumber()) throw bad(key, "must be a list of numbers");
                out[i] = n.get(i).asDouble();
            }
            return out;
        }

        List<Integer> integers(String key) {
            JsonNode n = c.get(key);
            if (n == null || n.isNull()) return List.of();
            if (!n.isArray()) throw bad(key, "must be a list of integers");
            List<Integer> out = new ArrayList<>();
            for (JsonNode e : n) {
                if (!e.canConvertToInt()) throw bad(key, "must be a list of integers");
                out.add(e.asInt());
            }
            return List.copyOf(out);
        }

        void requireFalse(String key, String why) {
            JsonNode n = c.get(key);
            if (n != null && n.asBoolean(false)) throw bad(key, "is true: " + why);
        }

        void requireNull(String key, String why) {
            JsonNode n = c.get(key);
            if (n != null && !n.isNull()) throw bad(key, "is " + n + ": " + why);
        }
    }
}
