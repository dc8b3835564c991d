package dev.animagine.core.infotext;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.infotext.GenerationParameters.Size;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;

/**
 * {@code png-info --json}: the parsed parameters as one JSON object, a key per record component in
 * declaration order (null when absent), sizes as {"width", "height"}, maps as objects in source order.
 */
public final class ParametersJson {
    private ParametersJson() {}

    public static String format(GenerationParameters p) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node(p));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode node(Record r) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            put(o, c.getName(), v);
        }
        return o;
    }

    private static void put(ObjectNode o, String name, Object v) {
        switch (v) {
            case null -> o.putNull(name);
            case String s -> o.put(name, s);
            case Integer i -> o.put(name, i);
            case Long l -> o.put(name, l);
            case Double d -> o.put(name, d);
            case Boolean b -> o.put(name, b);
            case Enum<?> e -> o.put(name, e.name());
            case Size s -> o.putObject(name).put("width", s.width()).put("height", s.height());
            case Record rec -> o.set(name, node(rec));
            case Map<?, ?> m -> {
                ObjectNode mo = o.putObject(name);
                m.forEach((k, val) -> mo.put(k.toString(), val == null ? null : val.toString()));
            }
            case Collection<?> list -> {
                ArrayNode a = o.putArray(name);
                list.forEach(x -> a.add(x.toString()));
            }
            default -> o.put(name, v.toString());
        }
    }
}
