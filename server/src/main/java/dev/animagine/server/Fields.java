package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of JSON request fields: a missing or null field gives the default, a value of the
 * wrong type or out of range is a 422 naming the field and the value (as pydantic answers A1111's
 * clients).
 */
public final class Fields {
    private Fields() {}

    public static boolean given(ObjectNode o, String name) {
        JsonNode v = o.get(name);
        return v != null && !v.isNull();
    }

    public static String string(ObjectNode o, String name, String fallback) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) return fallback;
        if (!v.isTextual()) throw ApiException.unprocessable(name, "must be a string (got " + kind(v) + ")");
        return v.textValue();
    }

    /** A string of at most {@code maxChars} characters. */
    public static String string(ObjectNode o, String name, String fallback, int maxChars) {
        String s = string(o, name, fallback);
        if (s != null && s.length() > maxChars)
            throw ApiException.unprocessable(name, "is too long (" + s.length() + " characters, at most " + maxChars + ")");
        return s;
    }

    public static long integer(ObjectNode o, String name, long fallback, long min, long max) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) return fallback;
        long x;
        if (v.isIntegralNumber() && v.canConvertToLong()) x = v.longValue();
        else if (v.isFloatingPointNumber() && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 9e15) x = (long) v.doubleValue();
        else if (v.isTextual() && v.textValue().strip().matches("-?\\d{1,18}")) x = Long.parseLong(v.textValue().strip());
        else throw ApiException.unprocessable(name, "must be an integer (got " + kind(v) + ")");
        if (x < min || x > max) throw ApiException.unprocessable(name, "must be between " + min + " and " + max + " (got " + x + ")");
        return x;
    }

    public static int int32(ObjectNode o, String name, int fallback, int min, int max) {
        return (int) integer(o, name, fallback, min, max);
    }

    public static double number(ObjectNode o, String name, double fallback, double min, double max) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) return fallback;
        double x;
        if (v.isNumber()) x = v.doubleValue();
        else if (v.isTextual()) {
            try {
                x = Double.parseDouble(v.textValue().strip());
            } catch (NumberFormatException e) {
                throw ApiException.unprocessable(name, "must be a number (got " + kind(v) + ")");
            }
        } else throw ApiException.unprocessable(name, "must be a number (got " + kind(v) + ")");
        if (!Double.isFinite(x) || x < min || x > max)
            throw ApiException.unprocessable(name, "must be between " + min + " and " + max + " (got " + x + ")");
        return x;
    }

    public static boolean bool(ObjectNode o, String name, boolean fallback) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) return fallback;
        if (v.isBoolean()) return v.booleanValue();
        if (v.isTextual() && (v.textValue().equalsIgnoreCase("true") || v.textValue().equalsIgnoreCase("false")))
            return Boolean.parseBoolean(v.textValue());
        throw ApiException.unprocessable(name, "must be true or false (got " + kind(v) + ")");
    }

    /** An object field, or an empty object when missing. */
    public static ObjectNode object(ObjectNode o, String name) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) return Json.object();
        if (!v.isObject()) throw ApiException.unprocessable(name, "must be an object (got " + kind(v) + ")");
        return (ObjectNode) v;
    }

    /** A list of strings; a single string counts as a list of one. */
    public static List<String> strings(ObjectNode o, String name) {
        JsonNode v = o.get(name);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (v.isTextual()) {
            out.add(v.textValue());
            return out;
        }
        if (!v.isArray()) throw ApiException.unprocessable(name, "must be a list of strings (got " + kind(v) + ")");
        for (JsonNode e : v) {
            if (!e.isTextual()) throw ApiException.unprocessable(name, "must be a list of strings (an item is " + kind(e) + ")");
            out.add(e.textValue());
        }
        return out;
    }

    static String kind(JsonNode v) {
        if (v.isTextual()) {
            String t = v.textValue();
            return "'" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "'";
        }
        if (v.isNumber() || v.isBoolean()) return v.asText();
        if (v.isArray()) return "a list";
        if (v.isObject()) return "an object";
        return v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }
}
